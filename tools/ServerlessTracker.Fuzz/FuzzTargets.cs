using System.Diagnostics.CodeAnalysis;
using ServerlessTracker.Fuzz.Targets;

namespace ServerlessTracker.Fuzz;

/// <summary>A fuzz target: reads one input and throws <see cref="FuzzFinding"/> (or anything else) when the code under test misbehaves.</summary>
internal delegate void FuzzTarget(ReadOnlySpan<byte> input);

/// <summary>One target per parser; the names are the corpus folders under tools/fuzz/corpus.</summary>
internal static class FuzzTargets
{
    private static readonly Dictionary<string, Func<FuzzTarget>> Factories = new(StringComparer.Ordinal)
    {
        ["http-announce"] = () => HttpTargets.Announce,
        ["http-scrape"] = () => HttpTargets.Scrape,
        ["percent"] = () => HttpTargets.PercentEncoding,
        ["bencode"] = () => BencodeTarget.Run,
        ["udp"] = () => new UdpTarget().Run,
        ["sync-batch"] = () => SyncTargets.Batch,
        ["cloudevents"] = () => new SyncTargets().CloudEvents,
    };

    public static IEnumerable<string> Names => Factories.Keys;

    /// <summary>The target's factory. Under AFL, call it only inside the fuzzing loop: instrumented code (a constructor
    /// too) must not run before SharpFuzz has mapped AFL's coverage memory.</summary>
    public static bool TryGet(string name, [NotNullWhen(true)] out Func<FuzzTarget>? factory) => Factories.TryGetValue(name, out factory);
}

/// <summary>A broken invariant: the input made the code under test answer something it must never answer.</summary>
internal sealed class FuzzFinding(string message) : Exception(message)
{
    public static void Check([DoesNotReturnIf(false)] bool condition, string message)
    {
        if (!condition)
        {
            throw new FuzzFinding(message);
        }
    }
}
