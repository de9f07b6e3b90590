using YamlDotNet.RepresentationModel;

namespace ServerlessTracker.Infra.Tests.Support;

/// <summary>azure.yaml loaded with YamlDotNet, with lookups that fail the test with the missing path.</summary>
public sealed class AzureYaml
{
    public AzureYaml()
    {
        var stream = new YamlStream();
        using var reader = new StringReader(Repository.Read("azure.yaml"));
        stream.Load(reader);
        Assert.Single(stream.Documents);
        Root = (YamlMappingNode)stream.Documents[0].RootNode;
    }

    public YamlMappingNode Root { get; }

    public static YamlMappingNode Map(YamlMappingNode node, string key)
    {
        Assert.True(node.Children.TryGetValue(new YamlScalarNode(key), out var child), $"azure.yaml: '{key}' missing");
        return Assert.IsType<YamlMappingNode>(child);
    }

    public static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? (child as YamlScalarNode)?.Value : null;

    public static IEnumerable<(string Key, YamlNode Value)> Entries(YamlMappingNode node) =>
        node.Children.Select(pair => (((YamlScalarNode)pair.Key).Value!, pair.Value));
}
