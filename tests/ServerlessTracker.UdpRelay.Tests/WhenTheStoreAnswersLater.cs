using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Stores;
using ServerlessTracker.Protocol;

namespace ServerlessTracker.UdpRelay.Tests;

/// <summary>The Table store completes asynchronously; the relay must then answer from the pending request's own buffers.</summary>
public sealed class WhenTheStoreAnswersLater
{
    [Fact]
    public async Task ManyClientsAtOnceAllGetTheirOwnAnswers()
    {
        await using var relay = await RelayHost.StartAsync(
            new Dictionary<string, string?> { ["Relay:MaxPendingRequests"] = "4" },
            store: provider => new LaterStore(new InMemorySwarmStore(new SwarmSettings(), TimeProvider.System)));
        var infoHash = TestBytes.Twenty();
        var clients = Enumerable.Range(0, 24).Select(i => new UdpTrackerClient(i % 2 == 0 ? relay.IPv4 : relay.IPv6)).ToArray();
        try
        {
            var ids = await Task.WhenAll(clients.Select(c => c.ConnectAsync()));
            var answers = await Task.WhenAll(clients.Select((c, i) => c.AnnounceAsync(ids[i], infoHash, TestBytes.Twenty(), (ushort)(7000 + i), left: 1, AnnounceEvent.Started)));
            var counts = await clients[0].ScrapeAsync(ids[0], infoHash);

            Assert.All(answers, a => Assert.InRange(a.Leechers, 1, 24));
            Assert.Equal([(0, 0, 24)], counts);
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    /// <summary>The real in-memory store, reached after a yield, as a remote store would be.</summary>
    private sealed class LaterStore(ISwarmStore inner) : ISwarmStore
    {
        public async ValueTask AnnounceAsync(AnnounceCommand command, AnnounceResult result, CancellationToken cancellationToken)
        {
            await Task.Delay(5, cancellationToken);
            await inner.AnnounceAsync(command, result, cancellationToken);
        }

        public async ValueTask<ScrapeStatus> ScrapeAsync(ReadOnlyMemory<InfoHash> hashes, Memory<SwarmCounts> counts, CancellationToken cancellationToken)
        {
            await Task.Delay(5, cancellationToken);
            return await inner.ScrapeAsync(hashes, counts, cancellationToken);
        }

        public ValueTask<IReadOnlyList<SwarmSummary>> ListSwarmsAsync(CancellationToken cancellationToken) => inner.ListSwarmsAsync(cancellationToken);

        public ValueTask<PurgeReport> PurgeAsync(CancellationToken cancellationToken) => inner.PurgeAsync(cancellationToken);
    }
}
