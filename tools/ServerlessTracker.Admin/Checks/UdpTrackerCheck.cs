using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using ServerlessTracker.Protocol;
using ServerlessTracker.Protocol.Udp;

namespace ServerlessTracker.Admin.Checks;

/// <summary>The checks of a udp:// announce URL (BEP 15): connect, announce, a second announce that lists the first peer,
/// scrape, then <c>stopped</c> for both peers.</summary>
/// <remarks>The URL's path and query go with every announce as BEP 41 URL data, where a private relay reads the passkey.
/// Each exchange is one datagram and at most <paramref name="timeout"/> of waiting: a lost packet is a failure here, not a
/// retry, so the whole check stays short.</remarks>
public sealed class UdpTrackerCheck(TimeSpan timeout)
{
    private uint _transaction = (uint)RandomNumberGenerator.GetInt32(int.MaxValue);

    public async Task<List<CheckResult>> RunAsync(Uri announce, CancellationToken cancellationToken)
    {
        var results = new List<CheckResult>();
        IPEndPoint tracker;
        try
        {
            using var resolving = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            resolving.CancelAfter(timeout);
            var addresses = await Dns.GetHostAddressesAsync(announce.IdnHost, resolving.Token);
            if (addresses.Length == 0)
            {
                results.Add(CheckResult.Fail("connect", $"{announce.IdnHost} has no address"));
                return results;
            }

            tracker = new IPEndPoint(Array.Find(addresses, a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses[0], announce.Port);
        }
        catch (Exception exception) when (exception is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            results.Add(CheckResult.Fail("connect", $"cannot resolve {announce.IdnHost}: {exception.Message}"));
            return results;
        }

        using var socket = new Socket(tracker.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            await socket.ConnectAsync(tracker, cancellationToken);
        }
        catch (SocketException exception)
        {
            // No route to the address (an IPv6-only name from an IPv4-only network): nothing was sent.
            results.Add(CheckResult.Fail("connect", $"cannot send to {tracker}: {exception.Message}"));
            return results;
        }

        var connect = new byte[16];
        var transaction = ++_transaction;
        ConnectRequest.Write(connect, transaction);
        var answer = await ExchangeAsync(socket, connect, cancellationToken);
        if (answer is null || !ConnectResponse.TryRead(answer, out var echoed, out var connectionId) || echoed != transaction)
        {
            results.Add(CheckResult.Fail("connect", answer is null ? $"no answer from {tracker} within {timeout.TotalSeconds:0} s" : "not a connect answer"));
            return results;
        }

        results.Add(CheckResult.Pass("connect", $"connection id from {tracker}"));
        var infoHash = RandomNumberGenerator.GetBytes(20);
        var urlData = Encoding.ASCII.GetBytes(announce.PathAndQuery);
        var first = HttpTrackerCheck.NewPeer();
        var second = HttpTrackerCheck.NewPeer();
        var announced = new List<HttpTrackerCheck.Peer>();
        try
        {
            var (firstAnswer, error) = await AnnounceAsync(socket, connectionId, infoHash, first, AnnounceEvent.Started, urlData, cancellationToken);
            if (firstAnswer is null)
            {
                results.Add(CheckResult.Fail("announce", error!));
                results.Add(CheckResult.Skip("interval", "no announce answer"));
                results.Add(CheckResult.Skip("scrape", "no announce answer"));
                return results;
            }

            announced.Add(first);
            results.Add(CheckResult.Pass("announce", $"{firstAnswer.Peers.Length / PeerSize(tracker)} peers, {firstAnswer.Seeders} seeders, {firstAnswer.Leechers} leechers"));
            results.Add(TrackerUrl.Interval(firstAnswer.Interval, null));

            var (secondAnswer, secondError) = await AnnounceAsync(socket, connectionId, infoHash, second, AnnounceEvent.Started, urlData, cancellationToken);
            if (secondAnswer is not null)
            {
                announced.Add(second);
            }

            results.Add(secondAnswer is null
                ? CheckResult.Fail("address", $"a second announce failed: {secondError}")
                : Listed(secondAnswer.Peers, PeerSize(tracker), first.Port) is { } seen
                    ? CheckResult.Pass("address", $"{seen}, as a second peer is given the first: is it your public address?")
                    : CheckResult.Skip("address", "a second peer was not given the first"));
            results.Add(await ScrapeAsync(socket, connectionId, infoHash, cancellationToken));
        }
        finally
        {
            foreach (var peer in announced)
            {
                await AnnounceAsync(socket, connectionId, infoHash, peer, AnnounceEvent.Stopped, urlData, cancellationToken);
            }
        }

        return results;
    }

    private async Task<CheckResult> ScrapeAsync(Socket socket, ulong connectionId, byte[] infoHash, CancellationToken cancellationToken)
    {
        var transaction = ++_transaction;
        var packet = new byte[16 + 20];
        ScrapeRequestParser.Write(packet, connectionId, transaction, infoHash);
        var answer = await ExchangeAsync(socket, packet, cancellationToken);
        return answer is null ? CheckResult.Fail("scrape", $"no answer within {timeout.TotalSeconds:0} s") : ReadScrape(answer, transaction);
    }

    private static CheckResult ReadScrape(byte[] answer, uint transaction)
    {
        if (ErrorResponse.TryRead(answer, out _, out var message))
        {
            return CheckResult.Fail("scrape", "tracker error: " + Encoding.ASCII.GetString(message));
        }

        if (!ScrapeResponse.TryRead(answer, out var echoed, out var entries) || echoed != transaction || entries.Length < ScrapeResponse.EntryLength)
        {
            return CheckResult.Fail("scrape", "not a scrape answer for one hash");
        }

        var (seeders, completed, leechers) = ScrapeResponse.ReadEntry(entries, 0);
        return CheckResult.Pass("scrape", $"{seeders} seeders, {leechers} leechers, {completed} completed");
    }

    private async Task<(Announced? Answer, string? Error)> AnnounceAsync(Socket socket, ulong connectionId, byte[] infoHash, HttpTrackerCheck.Peer peer, AnnounceEvent announceEvent, byte[] urlData, CancellationToken cancellationToken)
    {
        var request = new AnnounceRequest
        {
            ConnectionId = connectionId,
            TransactionId = ++_transaction,
            Left = 1,
            Event = announceEvent,
            Key = (uint)RandomNumberGenerator.GetInt32(int.MaxValue),
            NumWant = 50,
            Port = peer.Port,
            InfoHash = Bytes20.From(infoHash),
            PeerId = Bytes20.From(peer.Id),
        };
        var packet = new byte[AnnounceRequest.Length + urlData.Length + (2 * ((urlData.Length / 255) + 1)) + 1];
        var length = request.Write(packet);
        length += UrlDataOptions.Write(urlData, packet.AsSpan(length));
        var answer = await ExchangeAsync(socket, packet.AsMemory(0, length), cancellationToken);
        if (answer is null)
        {
            return (null, $"no answer within {timeout.TotalSeconds:0} s");
        }

        return ReadAnnounce(answer, request.TransactionId);
    }

    private static (Announced? Answer, string? Error) ReadAnnounce(byte[] answer, uint transaction)
    {
        if (ErrorResponse.TryRead(answer, out _, out var message))
        {
            return (null, "tracker error: " + Encoding.ASCII.GetString(message));
        }

        if (!AnnounceResponse.TryRead(answer, out var echoed, out var interval, out var leechers, out var seeders, out var peers) || echoed != transaction)
        {
            return (null, "not an announce answer");
        }

        return (new Announced(interval, leechers, seeders, peers.ToArray()), null);
    }

    /// <summary>Sends one datagram and waits for the answer to it (answers to earlier, timed-out requests are skipped).</summary>
    private async Task<byte[]?> ExchangeAsync(Socket socket, ReadOnlyMemory<byte> packet, CancellationToken cancellationToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(timeout);
        var buffer = new byte[65536];
        try
        {
            await socket.SendAsync(packet, SocketFlags.None, wait.Token);
            var sent = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(packet.Span[12..]);
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, SocketFlags.None, wait.Token);
                if (received >= 8 && System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(4)) == sent)
                {
                    return buffer[..received];
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (SocketException)
        {
            // An ICMP port unreachable surfaces as ConnectionRefused on the next receive: nothing listens there.
            return null;
        }
    }

    private static int PeerSize(IPEndPoint tracker) => tracker.AddressFamily == AddressFamily.InterNetwork ? 6 : 18;

    private static IPAddress? Listed(byte[] peers, int size, ushort port)
    {
        for (var offset = 0; offset + size <= peers.Length; offset += size)
        {
            if ((peers[offset + size - 2] << 8 | peers[offset + size - 1]) == port)
            {
                return new IPAddress(peers.AsSpan(offset, size - 2));
            }
        }

        return null;
    }

    private sealed record Announced(int Interval, int Leechers, int Seeders, byte[] Peers);
}
