using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Engine.Policy.Passkeys;
using ServerlessTracker.Storage.Operator;

namespace ServerlessTracker.Storage.Tests.Operator;

/// <summary>Function instances start and stop all day: passkey figures must not leave a row behind for every process that
/// ever ran, and keeping passkeys in step must not read the whole table on every refresh. Exact figures throughout.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class WhenInstancesComeAndGo(AzuriteFixture azurite)
{
    private readonly FakeTimeProvider _time = Tables.Clock();
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task InstancesStartedOneAfterAnotherKeepOneFiguresRowAndCountEachByteOnce()
    {
        string key;
        await using (var first = await Instance.StartAsync(this))
        {
            key = (await first.Policy.Passkeys.CreateAsync("alice", default)).Passkey;
        }

        for (var i = 1; i <= 6; i++)
        {
            await using var instance = await Instance.StartAsync(this);
            instance.Policy.Passkeys.Find(key)!.Add(100 * i, 10 * i);
            await instance.Policy.Passkeys.FlushAsync(default);
        }

        // Two at once need two rows; when they are gone, the next ones take theirs again.
        for (var round = 0; round < 2; round++)
        {
            await using var a = await Instance.StartAsync(this);
            await using var b = await Instance.StartAsync(this);
            a.Policy.Passkeys.Find(key)!.Add(1, 0);
            b.Policy.Passkeys.Find(key)!.Add(0, 1);
        }

        var store = new TablePasskeyStore(Service(), Options());
        var rows = (await store.ListUsageAsync(default)).Where(u => u.Passkey == key).ToList();
        Assert.True(rows.Count <= 2, $"{rows.Count} figures rows for one passkey after 11 processes: {string.Join(", ", rows.Select(r => r.Origin))}");
        var record = Assert.Single(await store.ListAsync(null, default));
        Assert.Equal((2102, 212), (record.Uploaded, record.Downloaded));

        await using var last = await Instance.StartAsync(this);
        Assert.Equal((2102, 212), (last.Policy.Passkeys.Find(key)!.Uploaded, last.Policy.Passkeys.Find(key)!.Downloaded));
    }

    [Fact]
    public async Task AnInstanceThatLostItsSlotNeverOverwritesTheNextHoldersFigures()
    {
        var a = await Instance.StartAsync(this);
        var key = (await a.Policy.Passkeys.CreateAsync("bob", default)).Passkey;
        a.Policy.Passkeys.Find(key)!.Add(100, 10);
        await a.Policy.Passkeys.FlushAsync(default);
        var b = await Instance.StartAsync(this);
        b.Policy.Passkeys.Find(key)!.Add(1, 1);
        await b.Policy.Passkeys.FlushAsync(default);

        // Both stall past their leases (a long pause, a partition); a new instance takes the lowest slot, a's.
        _time.Advance(TimeSpan.FromMinutes(6));
        await using (var c = await Instance.StartAsync(this))
        {
            c.Policy.Passkeys.Find(key)!.Add(1000, 100);
            await c.Policy.Passkeys.FlushAsync(default);

            // a and b come back: their slots are no longer theirs; what they had saved stays, the rest goes to other slots.
            a.Policy.Passkeys.Find(key)!.Add(5, 5);
            await a.Policy.Passkeys.FlushAsync(default);
            b.Policy.Passkeys.Find(key)!.Add(7, 7);
            await b.Policy.Passkeys.FlushAsync(default);
            c.Policy.Passkeys.Find(key)!.Add(10_000, 0);
            await c.Policy.Passkeys.FlushAsync(default);
        }

        await a.DisposeAsync();
        await b.DisposeAsync();
        var record = Assert.Single(await new TablePasskeyStore(Service(), Options()).ListAsync(null, default));
        Assert.Equal((11_113, 123), (record.Uploaded, record.Downloaded));
    }

    [Fact]
    public async Task AFiguresWriteWhoseAnswerIsLostCountsOnce()
    {
        var lossy = new LosingAnswers(2);
        var table = new PasskeyTable(new TablePasskeyStore(Service(lossy, HttpPipelinePosition.PerRetry), Options()), _time, "one");
        var key = (await table.CreateAsync(null, default)).Passkey;
        table.Find(key)!.Add(100, 10);
        await table.FlushAsync(default);
        table.Find(key)!.Add(1, 1);
        await table.FlushAsync(default);

        // Both writes reached the table and were retried by the client: the retry found them done.
        Assert.Equal(0, lossy.Left);
        var record = Assert.Single(await new TablePasskeyStore(Service(), Options()).ListAsync(null, default));
        Assert.Equal((101, 11), (record.Uploaded, record.Downloaded));
    }

    [Fact]
    public async Task ARefreshReadsWhatChangedNotTheWholeTable()
    {
        var writer = new PasskeyTable(new TablePasskeyStore(Service(), Options()), _time, "one");
        var keys = new List<string>();
        for (var i = 0; i < 150; i++)
        {
            keys.Add((await writer.CreateAsync($"user {i}", default)).Passkey);
        }

        foreach (var key in keys)
        {
            writer.Find(key)!.Add(1000, 100);
        }

        await writer.FlushAsync(default);

        // Refreshes re-read the last few seconds of changes (commits may still be in flight): let the setup age past that.
        await Task.Delay(TimeSpan.FromSeconds(6));
        var counted = new CountingPolicy();
        var reader = new PasskeyTable(new TablePasskeyStore(Service(counted), Options()), _time, "two");
        await reader.RefreshAsync(default);
        var first = counted.Take();
        Assert.Equal(150, reader.Count);

        // One new passkey, one changed figure: the next refresh reads about that much.
        var late = await writer.CreateAsync("late", default);
        writer.Find(keys[7])!.Add(5, 5);
        await writer.FlushAsync(default);
        _time.Advance(TimeSpan.FromSeconds(10));
        await reader.RefreshAsync(default);
        var second = counted.Take();

        Assert.NotNull(reader.Find(late.Passkey));
        Assert.Equal((1005, 105), (reader.Find(keys[7])!.Uploaded, reader.Find(keys[7])!.Downloaded));
        Assert.True(second.Bytes * 10 < first.Bytes, $"the second refresh read {second.Bytes} bytes in {second.Requests} requests, the first {first.Bytes} in {first.Requests}");
    }

    private string ConnectionString => azurite.Server.ConnectionString;

    private TableServiceClient Service(HttpPipelinePolicy? policy = null, HttpPipelinePosition position = HttpPipelinePosition.PerCall)
    {
        var options = new TableClientOptions();
        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        if (policy is not null)
        {
            options.AddPolicy(policy, position);
        }

        return new TableServiceClient(azurite.Server.ConnectionString, options);
    }

    private OperatorTablesOptions Options() => new() { PasskeysTable = "passkeys" + _suffix, AccessListsTable = "lists" + _suffix };

    /// <summary>One process as the hosts build it (<c>AddAnnouncePolicy</c> on Table Storage): started and stopped by its hosted services.</summary>
    private sealed class Instance : IAsyncDisposable
    {
        private readonly ServiceProvider _services;
        private readonly IReadOnlyList<IHostedService> _hosted;

        private Instance(ServiceProvider services)
        {
            _services = services;
            _hosted = [.. services.GetServices<IHostedService>()];
        }

        public AnnouncePolicy Policy => _services.GetRequiredService<AnnouncePolicy>();

        public static async Task<Instance> StartAsync(WhenInstancesComeAndGo test)
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Tracker:Region"] = "east",
                ["Tracker:Tables:ConnectionString"] = test.ConnectionString,
                ["Tracker:Tables:PasskeysTable"] = "passkeys" + test._suffix,
                ["Tracker:Tables:AccessListsTable"] = "lists" + test._suffix,
                ["Tracker:Tables:SwarmsTable"] = "swarms" + test._suffix,
                ["Tracker:Tables:IndexTable"] = "index" + test._suffix,
            }).Build();
            var services = new ServiceCollection();
            services.AddSingleton<TimeProvider>(test._time);
            services.AddLogging();
            services.AddAnnouncePolicy(configuration);
            var instance = new Instance(services.BuildServiceProvider());
            foreach (var hosted in instance._hosted)
            {
                await hosted.StartAsync(default);
            }

            return instance;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var hosted in _hosted.Reverse())
            {
                await hosted.StopAsync(default);
            }

            await _services.DisposeAsync();
        }
    }

    /// <summary>Lets the first <c>count</c> writes of a figures row through, then loses their answers (the client retries).</summary>
    private sealed class LosingAnswers(int count) : HttpPipelinePolicy
    {
        private int _left = count;

        public int Left => _left;

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) => throw new NotSupportedException();

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            await ProcessNextAsync(message, pipeline);
            var uri = message.Request.Uri.ToString();
            if (message.Request.Method != RequestMethod.Get && uri.Contains("usage-", StringComparison.Ordinal) && message.Response.Status < 300
                && Volatile.Read(ref _left) > 0 && Interlocked.Decrement(ref _left) >= 0)
            {
                throw new IOException("the answer was lost");
            }
        }
    }

    private sealed class CountingPolicy : HttpPipelineSynchronousPolicy
    {
        private long _bytes;
        private int _requests;

        public (long Bytes, int Requests) Take() => (Interlocked.Exchange(ref _bytes, 0), Interlocked.Exchange(ref _requests, 0));

        public override void OnReceivedResponse(HttpMessage message)
        {
            Interlocked.Increment(ref _requests);
            Interlocked.Add(ref _bytes, message.Response.Content?.ToMemory().Length ?? 0);
        }
    }
}
