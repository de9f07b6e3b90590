using System.Buffers.Text;

namespace ServerlessTracker.Bench.Workloads;

/// <summary>
/// Announces of the simulated peers. In <see cref="AnnouncePhase.Populate"/> every peer announces event=started
/// once, in a seeded random order, and the stream ends. In <see cref="AnnouncePhase.Steady"/> a uniformly chosen
/// peer announces (so torrents are hit with Zipf popularity) and the stream never ends; its event mix per
/// announce: a stopped peer comes back with started; otherwise 2% stopped, leechers complete with 4%
/// (left becomes 0), the rest are periodic announces whose left shrinks and uploaded grows.
/// Every steady stream starts from the state right after populate, so each scenario is the same for every tracker.
/// </summary>
public sealed class AnnounceStream : RequestStream
{
    private const double StopShare = 0.02;
    private const double CompleteShare = 0.04;

    private readonly Population population;
    private readonly AnnouncePhase phase;
    private readonly Random random;
    private readonly long[] left;
    private readonly long[] uploaded;
    private readonly long[] downloaded;
    private readonly bool[] stopped;
    private readonly int[]? order;
    private int position;

    public AnnounceStream(Population population, AnnouncePhase phase, int streamSeed, bool connectionClose)
        : base(connectionClose)
    {
        this.population = population;
        this.phase = phase;
        random = new Random(unchecked((population.Settings.Seed * 7919) + streamSeed) & int.MaxValue);
        var count = population.Peers.Length;
        left = new long[count];
        uploaded = new long[count];
        downloaded = new long[count];
        stopped = new bool[count];
        for (var p = 0; p < count; p++)
        {
            left[p] = population.Peers[p].InitialLeft;
        }

        if (phase == AnnouncePhase.Populate)
        {
            order = Enumerable.Range(0, count).ToArray();
            random.Shuffle(order);
        }
    }

    protected override int WriteTarget(Span<byte> destination, out RequestInfo info)
    {
        int peer;
        ReadOnlySpan<byte> eventName;
        if (order is not null)
        {
            if (position == order.Length)
            {
                info = default;
                return 0;
            }

            peer = order[position++];
            eventName = "started"u8;
        }
        else
        {
            peer = random.Next(left.Length);
            eventName = NextEvent(peer);
        }

        var template = population.Peers[peer];
        var length = 0;
        Append(destination, ref length, "/announce?"u8);
        Append(destination, ref length, template.QueryPrefix);
        AppendNumber(destination, ref length, "&uploaded="u8, uploaded[peer]);
        AppendNumber(destination, ref length, "&downloaded="u8, downloaded[peer]);
        AppendNumber(destination, ref length, "&left="u8, left[peer]);
        Append(destination, ref length, "&key="u8);
        Utf8Formatter.TryFormat(template.Key, destination[length..], out var written, new System.Buffers.StandardFormat('x', 8));
        length += written;
        if (!eventName.IsEmpty)
        {
            Append(destination, ref length, "&event="u8);
            Append(destination, ref length, eventName);
        }

        AppendNumber(destination, ref length, "&numwant="u8, population.Settings.NumWant);
        Append(destination, ref length, "&compact=1&no_peer_id=1"u8);
        info = new RequestInfo(RequestKind.Announce, eventName.SequenceEqual("stopped"u8), left[peer] == 0, 0);
        return length;
    }

    private ReadOnlySpan<byte> NextEvent(int peer)
    {
        if (stopped[peer])
        {
            stopped[peer] = false;
            return "started"u8;
        }

        var roll = random.NextDouble();
        if (roll < StopShare)
        {
            stopped[peer] = true;
            return "stopped"u8;
        }

        var size = population.TorrentSizes[population.Peers[peer].Torrent];
        uploaded[peer] += random.NextInt64(0, size / 20);
        if (left[peer] == 0)
        {
            return default;
        }

        if (roll < StopShare + CompleteShare)
        {
            downloaded[peer] += left[peer];
            left[peer] = 0;
            return "completed"u8;
        }

        var chunk = Math.Min(left[peer] - 1, random.NextInt64(0, size / 10));
        left[peer] -= chunk;
        downloaded[peer] += chunk;
        return default;
    }

    private static void AppendNumber(Span<byte> destination, ref int length, ReadOnlySpan<byte> name, long value)
    {
        Append(destination, ref length, name);
        Utf8Formatter.TryFormat(value, destination[length..], out var written);
        length += written;
    }
}

/// <summary>Which part of the workload an announce stream plays.</summary>
public enum AnnouncePhase
{
    /// <summary>Every peer announces started once; then the stream ends.</summary>
    Populate,

    /// <summary>Endless announces with the steady event mix.</summary>
    Steady,
}
