using System.Net;
using ServerlessTracker.Engine.Peers;

namespace ServerlessTracker.Engine.Tests;

/// <summary>Builds announces for engine tests.</summary>
internal static class Peers
{
    public static readonly InfoHash Torrent = InfoHash.FromBytes(Enumerable.Range(1, 20).Select(i => (byte)i).ToArray());

    public static PeerId Id(int n)
    {
        var bytes = new byte[20];
        BitConverter.TryWriteBytes(bytes, n);
        return PeerId.FromBytes(bytes);
    }

    public static PeerAddress V4(int n) => PeerAddress.FromIPAddress(new IPAddress(new byte[] { 10, 0, (byte)(n >> 8), (byte)n }));

    public static PeerAddress V6(int n) => PeerAddress.FromIPAddress(IPAddress.Parse($"2001:db8::{n:x}"));

    public static AnnounceCommand Announce(int n, long left = 100, PeerEvent @event = PeerEvent.None, int numWant = -1,
        PeerAddress? address = null, InfoHash? torrent = null, uint key = 0, bool hasKey = false,
        AddressFamilies families = AddressFamilies.Both, long uploaded = 0, long downloaded = 0, ushort port = 6881) =>
        new(torrent ?? Torrent, Id(n), address ?? V4(n), port, @event, uploaded, downloaded, left, numWant, key, hasKey, families);
}
