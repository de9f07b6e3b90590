using System.Text.RegularExpressions;
using ServerlessTracker.Infra.Tests.Support;

namespace ServerlessTracker.Infra.Tests;

/// <summary>The README and docs/ point only at things that exist: a renamed file or project breaks this test, not a reader.</summary>
public sealed partial class WhenReadingTheDocs
{
    public static TheoryData<string> Pages()
    {
        var pages = new TheoryData<string> { "README.md" };
        foreach (var file in Directory.GetFiles(Repository.PathOf("docs"), "*.md").Order(StringComparer.Ordinal))
        {
            pages.Add("docs/" + Path.GetFileName(file));
        }

        return pages;
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void EveryRelativeLinkLeadsToAFile(string page)
    {
        var directory = Path.GetDirectoryName(Repository.PathOf(page))!;
        var broken = MarkdownLink().Matches(Repository.Read(page))
            .Select(m => m.Groups["target"].Value)
            .Where(target => !target.Contains("://", StringComparison.Ordinal) && !target.StartsWith('#') && !target.StartsWith("mailto:", StringComparison.Ordinal))
            .Select(target => target.Split('#')[0])
            .Where(target => !File.Exists(Path.Combine(directory, target)) && !Directory.Exists(Path.Combine(directory, target)))
            .Distinct()
            .ToList();
        Assert.True(broken.Count == 0, $"{page} links to missing files: {string.Join(", ", broken)}");
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void EveryRepositoryPathItNamesExists(string page)
    {
        var missing = RepositoryPath().Matches(Repository.Read(page))
            .Select(m => m.Groups["path"].Value.TrimEnd('.', ',', ':', ';', ')'))
            .Where(path => !path.Contains('<') && !path.Contains('*') && !path.Contains('{') && !path.Contains("..", StringComparison.Ordinal))
            .Where(path => !File.Exists(Repository.PathOf(path)) && !Directory.Exists(Repository.PathOf(path)))
            .Distinct()
            .ToList();
        Assert.True(missing.Count == 0, $"{page} names paths that do not exist: {string.Join(", ", missing)}");
    }

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)\)")]
    private static partial Regex MarkdownLink();

    // A path in the repository as the docs write it: in backticks, starting at one of the top-level folders.
    [GeneratedRegex(@"`(?<path>(?:functions|tools|tests|infra|docs)/[A-Za-z0-9._/{}<>*-]*[A-Za-z0-9_/])[^`]*`")]
    private static partial Regex RepositoryPath();
}
