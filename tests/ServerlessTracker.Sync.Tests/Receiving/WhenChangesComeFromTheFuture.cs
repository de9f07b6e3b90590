using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Peers;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Engine.Policy.AccessLists;
using ServerlessTracker.Engine.Policy.Passkeys;
using ServerlessTracker.Engine.Replication;
using ServerlessTracker.Engine.Stores;
using ServerlessTracker.Sync.Publishing;
using ServerlessTracker.Sync.Receiving;
using ServerlessTracker.Sync.Wire;

namespace ServerlessTracker.Sync.Tests.Receiving;

/// <summary>Another region's clock (or a forged event) cannot plant changes dated in the future: they would win every
/// last-writer-wins merge and never expire until then.</summary>
public sealed class WhenChangesComeFromTheFuture : IDisposable
{
    private static readonly InfoHash Torrent = InfoHash.ParseHex("00112233445566778899aabbccddeeff00112233");
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-23T12:00:00Z"));
    private readonly InMemorySwarmStore _store;
    private readonly AnnouncePolicy _policy;
    private readonly InMemoryInfoHashListStore _infoHashes = new();
    private readonly InMemoryIpAllowListStore _ips = new();
    private readonly InMemoryPasskeyStore _passkeys = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly SyncMetrics _metrics;
    private readonly SyncEventApplier _applier;

    public WhenChangesComeFromTheFuture()
    {
        _store = new InMemorySwarmStore(new SwarmSettings(), _time, new Random(1));
        _policy = AnnouncePolicy.InMemory(_time);
        _metrics = new SyncMetrics(_services.GetRequiredService<IMeterFactory>());
        var region = Options.Create(new RegionOptions { Region = "east" });
        var operators = new OperatorEventApplier(_policy, _passkeys, _infoHashes, _ips, region, _time);
        _applier = new SyncEventApplier(_store, region, _metrics, _time, operators);
    }

    public void Dispose()
    {
        _metrics.Dispose();
        _services.Dispose();
    }

    [Fact]
    public async Task APeerChangeDatedBeyondTheSkewIsRefusedAndOneWithinItApplied()
    {
        var now = _time.GetUtcNow();
        var report = await _applier.ApplyAsync([Peers(Update(1, now.AddHours(1)), Update(2, now.AddSeconds(20)), Update(3, now.AddSeconds(-5)))], default);

        Assert.Equal(2, report.Applied);
        Assert.Equal([2, 3], Held());
    }

    [Fact]
    public async Task AFutureStopCannotKeepAPeerOutUntilThen()
    {
        var now = _time.GetUtcNow();
        await _applier.ApplyAsync([Peers(Update(1, now.AddDays(1)) with { State = ReplicatedPeerState.Stopped })], default);
        await _applier.ApplyAsync([Peers(Update(1, now.AddSeconds(-1)))], default);

        Assert.Equal([1], Held());
    }

    [Fact]
    public async Task AnOperatorVersionBeyondTheSkewIsRefused()
    {
        var future = _time.GetUtcNow().AddDays(365).ToUnixTimeMilliseconds();
        var batch = new OperatorChangeBatch();
        batch.Add(InfoHashChange.From(new InfoHashRule(Torrent, InfoHashListKind.Deny, Torrent.ToHex(), null, _time.GetUtcNow(), future, false)));
        batch.Add(IpChange.From(new IpAllowRecord("198.51.100.0/24", null, _time.GetUtcNow(), _time.GetUtcNow(), future)));
        batch.Add(new IpUseChange("203.0.113.0/24", _time.GetUtcNow().AddDays(365)));
        batch.Add(UsageChange.From(new UsageSnapshot(new string('a', 32), "west-" + new string('b', 32), 1, 2, future)));

        await _applier.ApplyAsync([Operator(batch)], default);

        Assert.True(_policy.IsServed(Torrent));
        Assert.Empty(await _infoHashes.ListAsync(default));
        Assert.Empty(await _ips.ListAsync(default));
        Assert.Empty(await _passkeys.ListUsageAsync(default));
    }

    [Fact]
    public async Task RefusedChangesAreCountedAndReported()
    {
        var now = _time.GetUtcNow();
        var batch = new OperatorChangeBatch();
        batch.Add(InfoHashChange.From(new InfoHashRule(Torrent, InfoHashListKind.Deny, Torrent.ToHex(), null, now, now.AddMinutes(5).ToUnixTimeMilliseconds(), false)));

        var report = await _applier.ApplyAsync([Peers(Update(1, now.AddMinutes(1)), Update(2, now)), Operator(batch)], default);

        Assert.Equal(2, report.Refused);
        Assert.Equal(2, _metrics.RefusedTotal);
    }

    [Fact]
    public void TheSkewIsAValidatedOption()
    {
        Assert.Equal(30, new SyncOptions().MaxClockSkewSeconds);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Tracker:Sync:MaxClockSkewSeconds"] = "0" }).Build();
        using var services = new ServiceCollection().AddTrackerSync(configuration).BuildServiceProvider();

        var failure = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<SyncOptions>>().Value);
        Assert.Contains("MaxClockSkewSeconds", failure.Message);
    }

    private int[] Held()
    {
        var swarm = _store.Find(Torrent);
        if (swarm is null)
        {
            return [];
        }

        lock (swarm)
        {
            return [.. swarm.ListPeers(100).Select(p => (int)p.Peer.Port).Order()];
        }
    }

    private static PeerUpdate Update(int peer, DateTimeOffset at) =>
        new(Torrent, PeerId.FromBytes(Enumerable.Repeat((byte)peer, 20).ToArray()), PeerAddress.FromIPAddress(System.Net.IPAddress.Parse($"198.51.100.{peer}")),
            (ushort)peer, ReplicatedPeerState.Leecher, false, at.ToUnixTimeMilliseconds(), 0, 0);

    private static SyncCloudEvent Peers(params PeerUpdate[] updates) =>
        SyncCloudEvent.Binary("/regions/west", EventGridSyncPublisher.EventType, PeerUpdateBatchCodec.Encode(updates), DateTimeOffset.UtcNow);

    private static SyncCloudEvent Operator(OperatorChangeBatch batch) =>
        SyncCloudEvent.Json("/regions/west", OperatorSyncPublisher.EventType, batch.Encode(), DateTimeOffset.UtcNow);
}
