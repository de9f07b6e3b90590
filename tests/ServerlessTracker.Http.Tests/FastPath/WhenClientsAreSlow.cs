using System.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using ServerlessTracker.Http.FastPath;
using ServerlessTracker.Http.Tests.Support;
using static ServerlessTracker.Http.Tests.FastPath.WhenServingOnTheFastPath;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.Http.Tests.FastPath;

/// <summary>The fast path applies Kestrel's timeouts (shortened here; Kestrel checks them on its one-second heartbeat, which no fake clock drives).</summary>
public sealed class WhenClientsAreSlow : IAsyncLifetime
{
    private static readonly TimeSpan HeadersTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan KeepAliveTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Timeout plus a heartbeat plus room for a busy machine, far below what a trickling client could otherwise hold.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(4);

    private RunningTracker _tracker = null!;

    public async Task InitializeAsync() => _tracker = await RunningTracker.StartAsync(
        WhenServingOnTheFastPath.KestrelOnly(),
        ipv6: false,
        configure: builder => builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.RequestHeadersTimeout = HeadersTimeout;
            kestrel.Limits.KeepAliveTimeout = KeepAliveTimeout;
        }));

    public async Task DisposeAsync() => await _tracker.DisposeAsync();

    private FastPathCounters Counters => _tracker.Service<FastPathCounters>();

    [Fact]
    public async Task ATricklingRequestHeadIsCutOffAtTheHeadersTimeout()
    {
        // Timed from before connecting: the server's clock starts at accept, so it may close a hair before a clock started later.
        var clock = Stopwatch.StartNew();
        await using var connection = await RawConnection.OpenAsync(_tracker.BaseV4);
        await connection.SendAsync("GET /announce?info_hash=");
        var closed = connection.IsClosedByServerAsync(HeadersTimeout + Slack);
        try
        {
            while (!closed.IsCompleted)
            {
                await connection.SendAsync("a"); // one byte at a time: never a complete head
                await Task.WhenAny(closed, Task.Delay(200));
            }
        }
        catch (IOException)
        {
            // The server reset the connection while we were still writing: closed as well.
        }

        Assert.True(await closed, "the server kept a trickling connection open");
        // The deadline is kept in heartbeat time (Kestrel's clock, read once per tick), so it may fire a hair early.
        Assert.InRange(clock.Elapsed, HeadersTimeout - TimeSpan.FromMilliseconds(250), HeadersTimeout + Slack);
        Assert.Equal(1, Counters.TimedOut);
        Assert.Equal(0, Counters.Served);
        Assert.Equal(0, Counters.HandedOff);
    }

    [Fact]
    public async Task AnIdleKeptAliveConnectionIsClosedAtTheKeepAliveTimeout()
    {
        await using var connection = await RawConnection.OpenAsync(_tracker.BaseV4);
        await connection.SendAsync(Get(AnnounceUrl(Hash(321), 1)));
        await connection.ReadResponseAsync();
        var clock = Stopwatch.StartNew();
        Assert.True(await connection.IsClosedByServerAsync(KeepAliveTimeout + Slack), "the server kept an idle connection open");
        Assert.InRange(clock.Elapsed, KeepAliveTimeout - TimeSpan.FromSeconds(1), KeepAliveTimeout + Slack);
        Assert.Equal(1, Counters.TimedOut);
    }

    [Fact]
    public async Task AHeadCompletedInTimeIsServed()
    {
        var request = Get(AnnounceUrl(Hash(322), 1));
        await using var connection = await RawConnection.OpenAsync(_tracker.BaseV4);
        await connection.SendAsync(request[..40]);
        await Task.Delay(300);
        await connection.SendAsync(request[40..]);
        Assert.Equal(200, (await connection.ReadResponseAsync()).Status);
        Assert.Equal(1, Counters.Served);
        Assert.Equal(0, Counters.TimedOut);
    }
}
