namespace ServerlessTracker.Infra.Tests.Support;

/// <summary>A fact about a file another branch brings: skipped, with the reason shown, while the file is not in the tree.</summary>
/// <remarks>For the isolated-worker project (functions/ServerlessTracker.FunctionApp), written on its own branch while
/// the deployment is prepared on this one. Once both are merged the skip can never happen again; then turn these back
/// into plain facts.</remarks>
[AttributeUsage(AttributeTargets.Method)]
public sealed class FactWhenPresentAttribute : FactAttribute
{
    public FactWhenPresentAttribute(string relativePath)
    {
        if (!File.Exists(Repository.PathOf(relativePath)))
        {
            Skip = $"{relativePath} is not in this tree yet (it comes with the isolated-worker branch)";
        }
    }
}
