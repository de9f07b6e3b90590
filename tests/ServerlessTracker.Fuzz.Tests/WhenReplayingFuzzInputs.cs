namespace ServerlessTracker.Fuzz.Tests;

/// <summary>Every fuzz target replays its seed corpus and every recorded finding (tools/fuzz/regressions) without an
/// exception, on an uninstrumented build: the harness keeps working, and a crash once found stays fixed.</summary>
public class WhenReplayingFuzzInputs
{
    public static TheoryData<string> Targets() => [.. FuzzTargets.Names];

    [Theory]
    [MemberData(nameof(Targets))]
    public void TheSeedsAndEveryRecordedFindingPass(string target)
    {
        var root = RepositoryRoot();
        var corpus = Path.Combine(root, "tools", "fuzz", "corpus", target);
        Assert.True(Directory.Exists(corpus) && Directory.EnumerateFiles(corpus).Any(), $"no seed corpus for {target} in {corpus}");
        Assert.True(FuzzTargets.TryGet(target, out var factory));
        var run = factory();
        var inputs = Directory.EnumerateFiles(corpus).ToList();
        var regressions = Path.Combine(root, "tools", "fuzz", "regressions", target);
        if (Directory.Exists(regressions))
        {
            inputs.AddRange(Directory.EnumerateFiles(regressions));
        }

        foreach (var input in inputs)
        {
            var bytes = File.ReadAllBytes(input);
            var exception = Record.Exception(() => run(bytes));
            Assert.True(exception is null, $"{target}: {Path.GetFileName(input)}: {exception}");
        }
    }

    [Fact]
    public void EveryTargetHasASeedCorpusAndNoCorpusIsOrphaned()
    {
        var corpora = Directory.GetDirectories(Path.Combine(RepositoryRoot(), "tools", "fuzz", "corpus")).Select(Path.GetFileName).Order();
        Assert.Equal(FuzzTargets.Names.Order(), corpora);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ServerlessTracker.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("repository root not found");
    }
}
