using System.Net;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Peers;
using ServerlessTracker.Engine.Stores;

// Fills the in-memory store with N peers spread over T torrents (skewed: torrent i gets weight 1/(i+1))
// and prints the managed heap growth per peer. "accounted" announces as a private tracker does (with a passkey, whose
// counters the swarm keeps); an open tracker's announces by default.
//   dotnet run -c Release --project tools/ServerlessTracker.MemoryProbe -- [peers=1000000] [torrents=1000] [accounted]
var peers = args.Length > 0 ? int.Parse(args[0]) : 1_000_000;
var torrents = args.Length > 1 ? int.Parse(args[1]) : 1_000;
var accounted = args.Length > 2 && args[2] == "accounted";

var weights = Enumerable.Range(0, torrents).Select(i => 1.0 / (i + 1)).ToArray();
var total = weights.Sum();
// Memory per peer, not the caps: the largest torrent holds ~13 % of the peers, more than MaxPeersPerSwarm at a million.
var settings = new SwarmSettings { MaxPeersPerSwarm = 0, MaxPeersPerPasskey = 0 };
var store = new InMemorySwarmStore(settings, TimeProvider.System, new Random(1));
var result = new AnnounceResult(settings.MaxNumWant);
var hashes = Enumerable.Range(0, torrents).Select(i =>
{
    var bytes = new byte[20];
    new Random(i).NextBytes(bytes);
    return InfoHash.FromBytes(bytes);
}).ToArray();

var before = Heap();
var id = new byte[20];
var next = 0;
for (var t = 0; t < torrents; t++)
{
    var count = t == torrents - 1 ? peers - next : (int)(peers * weights[t] / total);
    for (var p = 0; p < count; p++, next++)
    {
        BitConverter.TryWriteBytes(id, next);
        var address = PeerAddress.FromIPAddress(new IPAddress((uint)next + 1));
        var command = new AnnounceCommand(hashes[t], PeerId.FromBytes(id), address, 6881, PeerEvent.Started, next, next, next % 3, 0, 0, false, AddressFamilies.Both);
        if (accounted)
        {
            command = command with { Accounted = true, Owner = (uint)(next % 5000) + 1 };
        }

        result.Reset();
        await store.AnnounceAsync(command, result, CancellationToken.None);
    }
}

var after = Heap();
GC.KeepAlive(store);
Console.WriteLine($"peers={next} torrents={torrents} accounted={accounted} heap_growth={after - before:N0} bytes bytes_per_peer={(double)(after - before) / next:F1}");

static long Heap()
{
    GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    GC.WaitForPendingFinalizers();
    GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    return GC.GetTotalMemory(forceFullCollection: true);
}
