using System.Text;
using ServerlessTracker.Protocol.Http;

namespace ServerlessTracker.Soak;

/// <summary>The drill's torrents and peers, and what each peer says next: started, then plain announces as a leecher,
/// then <c>completed</c> (repeated until an answer acknowledges it), then plain announces as a seeder.</summary>
public sealed class Workload
{
    private readonly Peer[] _peers;
    private long _next = -1;

    public Workload(int torrents, int peersPerTorrent)
    {
        Hashes = new byte[torrents][];
        for (var t = 0; t < torrents; t++)
        {
            Hashes[t] = new byte[20];
            new Random(1000 + t).NextBytes(Hashes[t]);
        }

        _peers = new Peer[torrents * peersPerTorrent];
        for (var i = 0; i < _peers.Length; i++)
        {
            // Torrent-major interleaving, so consecutive announces hit different partitions; completions spread over time.
            _peers[i] = new Peer(i % torrents, i / torrents, CompleteAt: 2 + ((i / torrents) % 12));
        }
    }

    public byte[][] Hashes { get; }

    /// <summary>The passkeys peers announce with (private mode), peer i using passkey i mod count; empty for open mode.</summary>
    public IReadOnlyList<string> Passkeys { get; set; } = [];

    private string Prefix(Peer peer) => Passkeys.Count == 0 ? "" : "/" + Passkeys[peer.Index % Passkeys.Count];

    public int PeerCount => _peers.Length;

    /// <summary>The next announce of the round-robin, as a path and query, and the peer it speaks for.</summary>
    public (Peer Peer, string Url, bool Completed) Next()
    {
        var peer = _peers[Interlocked.Increment(ref _next) % _peers.Length];
        lock (peer)
        {
            var first = peer.Announces == 0;
            // As libtorrent does: 'started' until an answer acknowledges it (the tracker credits an unknown session's
            // counters only on 'started'), then 'completed' until acknowledged.
            var starting = !peer.StartAcknowledged;
            var completing = !starting && !peer.Acknowledged && peer.Announces >= peer.CompleteAt;
            peer.Announces++;
            var left = completing || peer.Acknowledged ? 0 : 1000;
            var @event = starting ? "started" : completing ? "completed" : "";

            // The session's running counters grow with every announce: what the tracker accounts per passkey.
            if (!first)
            {
                peer.Uploaded += 1000 + peer.Index;
                peer.Downloaded += 500;
            }

            return (peer, Url(peer, left, @event), completing);
        }
    }

    /// <summary>A plain announce of every peer, for the end: each must then be in every swarm.</summary>
    public IEnumerable<(Peer Peer, string Url)> Sweep() =>
        _peers.Select(p => (p, Url(p, p.Acknowledged ? 0 : 1000, "")));

    public string Url(Peer peer, long left, string @event) =>
        $"/announce{Prefix(peer)}?info_hash={Encode(Hashes[peer.Torrent])}&peer_id={Encode(PeerId(peer))}&port={10000 + peer.Index}" +
        $"&uploaded={peer.Uploaded}&downloaded={peer.Downloaded}&left={left}" + (@event.Length > 0 ? "&event=" + @event : "");

    public string ScrapeUrl(bool withPasskey = true) =>
        "/scrape" + (withPasskey && Passkeys.Count > 0 ? "/" + Passkeys[0] : "") + "?" + string.Join("&", Hashes.Select(h => "info_hash=" + Encode(h)));

    private static byte[] PeerId(Peer peer) => Encoding.ASCII.GetBytes($"-SK0001-{peer.Torrent:D4}{peer.Index:D8}");

    private static string Encode(byte[] bytes)
    {
        var buffer = new byte[PercentEncoding.EncodedLength(bytes)];
        PercentEncoding.Encode(bytes, buffer);
        return Encoding.ASCII.GetString(buffer);
    }

    /// <summary>One peer; <see cref="Acknowledged"/> once a <c>completed</c> got a successful answer.</summary>
    public sealed record Peer(int Torrent, int Index, int CompleteAt)
    {
        public int Announces { get; set; }

        public bool Acknowledged { get; set; }

        /// <summary>A <c>started</c> got a successful answer.</summary>
        public bool StartAcknowledged { get; set; }

        /// <summary>A <c>completed</c> was sent (answered or not): the swarm may have counted it.</summary>
        public bool Attempted { get; set; }

        /// <summary>The session's counters as last sent (bytes).</summary>
        public long Uploaded { get; set; }

        public long Downloaded { get; set; }

        /// <summary>The counters of the last announce that got a successful answer: accounted for certain.</summary>
        public long AcknowledgedUploaded { get; set; }

        public long AcknowledgedDownloaded { get; set; }
    }
}
