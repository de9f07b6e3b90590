using System.Diagnostics;
using System.Net;
using ServerlessTracker.Protocol.Bencode;
using ServerlessTracker.Tests.Shared;

namespace ServerlessTracker.Soak;

/// <summary>Steady announce load on two instances of one region over Table Storage, through storage outages, Event Grid
/// publishing failures and instance restarts; then checks answers, completed counts and convergence.</summary>
/// <remarks>
/// Instances A and B (region east, private mode: every announce names one of 20 passkeys) share tables on one Azurite;
/// W (region west, in memory, open) is the live region their
/// changes are published to. A starts with its topic on a closed port (every publish fails); each round stops Azurite for
/// the outage and starts it again on its port (data kept), then restarts A, switching its topic between the live region
/// and the closed port. The load alternates between A and B and falls back to B while A is down, as a load balancer would.
/// </remarks>
public sealed class FaultDrill(DrillOptions options)
{
    private const string SyncKey = "drill-sync-key-0123456789abcdef01";
    private const string AdminToken = "drill-admin-token-0123456789abcdef";
    private const int Passkeys = 20;

    private readonly AnswerLedger _ledger = new();
    private readonly Workload _workload = new(options.Torrents, options.PeersPerTorrent);
    private volatile bool _restartingA;

    public static Task<DrillReport> RunAsync(DrillOptions options) => new FaultDrill(options).RunAsync();

    private async Task<DrillReport> RunAsync()
    {
        var clock = Stopwatch.StartNew();
        var data = Directory.CreateTempSubdirectory("st-drill-");
        try
        {
            await using var azurite = await AzuriteServer.StartAsync(location: data.FullName);
            var closedPort = TrackerInstance.FreePort();
            await using var west = new TrackerInstance("W", TrackerInstance.FreePort());
            await using var a = new TrackerInstance("A", TrackerInstance.FreePort());
            await using var b = new TrackerInstance("B", TrackerInstance.FreePort());
            await west.StartAsync(Region("west", azurite: null, topic: null));
            var liveTopic = new Uri(west.BaseAddress, "/sync/events").ToString();
            var closedTopic = $"http://127.0.0.1:{closedPort}/sync/events";
            var aTopic = closedTopic;
            await a.StartAsync(Region("east", azurite, aTopic));
            await b.StartAsync(Region("east", azurite, liveTopic));
            options.Log($"drill: Azurite on {azurite.Port}, A {a.BaseAddress}, B {b.BaseAddress}, west {west.BaseAddress}; A publishes to a closed port");

            using var client = NewClient();
            _workload.Passkeys = await CreatePasskeysAsync(client, b);

            // A learns B's passkeys from the shared table within its refresh period.
            await Task.Delay(TimeSpan.FromSeconds(3));
            using var stop = new CancellationTokenSource();
            var load = RunLoadAsync(client, a, b, stop.Token);
            await Task.Delay(options.Warmup);
            for (var round = 1; round <= options.Rounds; round++)
            {
                options.Log($"drill: round {round}: storage down for {options.StorageOutage.TotalSeconds:F0} s ({_ledger.Sent} announces so far)");
                await azurite.StopGracefullyAsync();
                await Task.Delay(options.StorageOutage);
                await azurite.StartAgainAsync();
                await Task.Delay(options.Recovery);

                aTopic = aTopic == closedTopic ? liveTopic : closedTopic;
                options.Log($"drill: round {round}: restarting A, now publishing to {(aTopic == liveTopic ? "the live region" : "a closed port")}");
                _restartingA = true;
                await a.StopAsync();
                await Task.Delay(TimeSpan.FromSeconds(1));
                await a.StartAsync(Region("east", azurite, aTopic));
                await Task.Delay(TimeSpan.FromSeconds(1));
                _restartingA = false;
                await Task.Delay(options.AfterRestart);
            }

            await stop.CancelAsync();
            await load;
            options.Log($"drill: load stopped after {_ledger.Sent} announces; checking");
            var downloaded = await VerifyAsync(client, a, b, west);
            var peers = _workload.Sweep().Select(s => s.Peer).ToList();
            return new DrillReport(_ledger.Sent, _ledger.Ok, _ledger.RetryLater, _ledger.Unreachable,
                peers.Count(p => p.Acknowledged), peers.Count(p => p.Attempted), downloaded, _workload.Passkeys.Count, PasskeyBytes, clock.Elapsed, [.. _ledger.Violations]);
        }
        finally
        {
            try
            {
                data.Delete(recursive: true);
            }
            catch (IOException)
            {
                // Azurite may still be closing its files; the temporary folder goes with the machine.
            }
        }
    }

    private static Dictionary<string, string?> Region(string region, AzuriteServer? azurite, string? topic)
    {
        var settings = new Dictionary<string, string?>
        {
            // The drill judges answers, not logs (outages log by design); keep the console for its own report.
            ["Logging:LogLevel:Default"] = "Critical",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Critical",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Critical",
            ["Tracker:Region"] = region,
            ["Tracker:Sync:ReceiverKey"] = SyncKey,
            ["Tracker:Sync:FlushIntervalMilliseconds"] = "100",
            ["Tracker:Sync:MaxPublishAttempts"] = "2",
            ["Tracker:Sync:MaxBackoffMilliseconds"] = "200",
            // All load comes from one loopback address: the per-address budget is not what this drill measures.
            ["Tracker:RateLimit:RequestsPerSecond"] = "0",
            // Peers re-announce every few seconds here; a short min interval keeps most announces writing to the tables, and
            // every announce is taken as it comes (min interval not enforced): the drill checks each acknowledged byte at once.
            ["Tracker:Swarm:MinIntervalSeconds"] = "2",
            ["Tracker:Swarm:EnforceMinInterval"] = "false",
            // 20 passkeys play 800 users: each passkey has its 40 peers in one torrent.
            ["Tracker:Swarm:MaxPeersPerPasskey"] = "0",
            ["Tracker:Purge:InProcessTimer"] = "false",
        };
        if (azurite is not null)
        {
            // Private mode: every announce names a passkey, and its transfer figures are accounted and written every second.
            settings["Tracker:Private:Enabled"] = "true";
            settings["Tracker:Admin:Token"] = AdminToken;
            settings["Tracker:Policy:FlushSeconds"] = "1";
            settings["Tracker:Policy:RefreshSeconds"] = "1";
        }

        if (topic is not null)
        {
            settings["Tracker:Sync:TopicEndpoint"] = topic;
            settings["Tracker:Sync:TopicKey"] = SyncKey;
        }

        if (azurite is not null)
        {
            settings["Tracker:Tables:ConnectionString"] = azurite.ConnectionString;
            settings["Tracker:Tables:SwarmsTable"] = "drillswarms";
            settings["Tracker:Tables:IndexTable"] = "drillindex";
            settings["Tracker:Tables:CacheStalenessMilliseconds"] = "1000";
            settings["Tracker:Tables:MaxRetries"] = "1";
            settings["Tracker:Tables:RequestTimeoutMilliseconds"] = "1000";
            settings["Tracker:Tables:RetryBudgetMilliseconds"] = "1500";
            settings["Tracker:Tables:BreakSeconds"] = "1";
            settings["Tracker:Tables:RetryInSeconds"] = "30";
        }

        return settings;
    }

    private static HttpClient NewClient() => new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromSeconds(5),
        MaxConnectionsPerServer = 32,
        ConnectTimeout = TimeSpan.FromSeconds(2),
    })
    { Timeout = TimeSpan.FromSeconds(15) };

    /// <summary>Paced announces from several workers, alternating A and B, falling back to B while A is down.</summary>
    private async Task RunLoadAsync(HttpClient client, TrackerInstance a, TrackerInstance b, CancellationToken stop)
    {
        const int Workers = 16;
        var period = TimeSpan.FromSeconds((double)Workers / options.AnnouncesPerSecond);
        var workers = Enumerable.Range(0, Workers).Select(async worker =>
        {
            var next = Stopwatch.GetTimestamp() + (long)(period.TotalSeconds * Stopwatch.Frequency * worker / Workers);
            var count = worker;
            while (!stop.IsCancellationRequested)
            {
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
                if (wait > TimeSpan.Zero)
                {
                    try
                    {
                        await Task.Delay(wait, stop);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }

                next += (long)(period.TotalSeconds * Stopwatch.Frequency);
                var (peer, url, completing) = _workload.Next();
                var target = count++ % 2 == 0 ? a : b;
                var ok = await AnnounceAsync(client, target, url, peer, completing);
                if (ok is null && target == a)
                {
                    await AnnounceAsync(client, b, url, peer, completing);
                }
            }
        });
        await Task.WhenAll(workers);
    }

    /// <summary>Sends one announce and checks the answer; null when the instance could not be reached.</summary>
    private async Task<bool?> AnnounceAsync(HttpClient client, TrackerInstance instance, string url, Workload.Peer peer, bool completing)
    {
        _ledger.Sending();
        long uploaded, downloaded;
        lock (peer)
        {
            peer.Attempted |= completing;
            (uploaded, downloaded) = (peer.Uploaded, peer.Downloaded);
        }

        try
        {
            using var response = await client.GetAsync(new Uri(instance.BaseAddress, url));
            var ok = _ledger.Answer(instance.Name, (int)response.StatusCode, await response.Content.ReadAsByteArrayAsync());
            if (ok)
            {
                lock (peer)
                {
                    peer.Acknowledged |= completing;
                    peer.StartAcknowledged |= url.Contains("&event=started", StringComparison.Ordinal);
                    peer.AcknowledgedUploaded = Math.Max(peer.AcknowledgedUploaded, uploaded);
                    peer.AcknowledgedDownloaded = Math.Max(peer.AcknowledgedDownloaded, downloaded);
                }
            }

            return ok;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or IOException)
        {
            _ledger.CountUnreachable(instance.Name, instance.Name == "A" && _restartingA, exception);
            return null;
        }
    }

    /// <summary>After the load: every peer announces once more, then A and B must agree on every swarm, count every
    /// acknowledged completion (and no more than were sent), and the live region must hold the same peers.</summary>
    private async Task<long> VerifyAsync(HttpClient client, TrackerInstance a, TrackerInstance b, TrackerInstance west)
    {
        // Past min interval, so the sweep's announces are stored (and published) rather than answered from the swarm.
        await Task.Delay(TimeSpan.FromSeconds(3));
        foreach (var (peer, url) in _workload.Sweep())
        {
            var answered = false;
            for (var attempt = 0; attempt < 10 && !answered; attempt++)
            {
                answered = await AnnounceAsync(client, attempt % 2 == 0 ? b : a, url, peer, completing: false) == true;
                if (!answered)
                {
                    await Task.Delay(500);
                }
            }

            if (!answered)
            {
                _ledger.Violate($"peer {peer} could not announce after the faults");
            }
        }

        // Caches refresh after 1 s: then both instances read the same partitions.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var fromA = await ScrapeAsync(client, a);
        var fromB = await ScrapeAsync(client, b);
        var peersPerTorrent = options.PeersPerTorrent;
        long counted = 0;
        for (var t = 0; t < _workload.Hashes.Length; t++)
        {
            var (complete, incomplete, downloaded) = fromA[t];
            counted += downloaded;
            if (fromA[t] != fromB[t])
            {
                _ledger.Violate($"torrent {t}: A says {fromA[t]}, B says {fromB[t]}");
            }

            if (complete + incomplete != peersPerTorrent)
            {
                _ledger.Violate($"torrent {t}: {complete + incomplete} peers in the swarm, {peersPerTorrent} announced");
            }

            var peers = _workload.Sweep().Select(s => s.Peer).Where(p => p.Torrent == t).ToList();
            var acknowledged = peers.Count(p => p.Acknowledged);
            var attempted = peers.Count(p => p.Attempted);
            if (downloaded < acknowledged || downloaded > attempted)
            {
                _ledger.Violate($"torrent {t}: downloaded {downloaded}, but {acknowledged} completions were acknowledged and {attempted} sent");
            }
        }

        // The live region converges on the same peers (sync is eventually consistent; the sweep republished everyone).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        List<(long, long, long)> fromWest;
        do
        {
            await Task.Delay(500);
            fromWest = await ScrapeAsync(client, west, withPasskey: false);
        }
        while (DateTime.UtcNow < deadline && Enumerable.Range(0, fromA.Count).Any(t => fromWest[t].Item1 + fromWest[t].Item2 != fromA[t].Item1 + fromA[t].Item2));

        for (var t = 0; t < fromA.Count; t++)
        {
            if (fromWest[t].Item1 != fromA[t].Item1 || fromWest[t].Item2 != fromA[t].Item2)
            {
                _ledger.Violate($"torrent {t}: west holds {fromWest[t]}, east {fromA[t]}");
            }

            if (fromWest[t].Item3 > fromA[t].Item3)
            {
                _ledger.Violate($"torrent {t}: west counts more completions ({fromWest[t].Item3}) than east ({fromA[t].Item3})");
            }
        }

        await VerifyPasskeysAsync(client, a, b);

        foreach (var instance in new[] { a, b, west })
        {
            using var root = await client.GetAsync(instance.BaseAddress);
            if (root.StatusCode != HttpStatusCode.OK)
            {
                _ledger.Violate($"{instance.Name} no longer answers its probe: HTTP {(int)root.StatusCode}");
            }
        }

        return counted;
    }

    /// <summary>Each passkey's figures, as both instances report them once their flushes and refreshes have run, lie between
    /// what acknowledged announces reported (accounted for certain) and what was sent at all.</summary>
    private async Task VerifyPasskeysAsync(HttpClient client, TrackerInstance a, TrackerInstance b)
    {
        var peers = _workload.Sweep().Select(s => s.Peer).ToList();
        var expected = _workload.Passkeys.Select((passkey, i) =>
        {
            var own = peers.Where(p => p.Index % _workload.Passkeys.Count == i).ToList();
            return (Passkey: passkey,
                AckUp: own.Sum(p => p.AcknowledgedUploaded), SentUp: own.Sum(p => p.Uploaded),
                AckDown: own.Sum(p => p.AcknowledgedDownloaded), SentDown: own.Sum(p => p.Downloaded));
        }).ToList();

        // Every instance writes its figures each second and reads the others' each second: wait for them to settle (on a busy
        // machine a flush can take longer than its period), then report what is still out of bounds.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        List<string> wrong;
        do
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            wrong = [];
            foreach (var instance in new[] { a, b })
            {
                var figures = await PasskeyFiguresAsync(client, instance);
                foreach (var (passkey, ackUp, sentUp, ackDown, sentDown) in expected)
                {
                    if (!figures.TryGetValue(passkey, out var got))
                    {
                        wrong.Add($"{instance.Name} does not know passkey {passkey[..6]}...");
                    }
                    else if (got.Uploaded < ackUp || got.Uploaded > sentUp || got.Downloaded < ackDown || got.Downloaded > sentDown)
                    {
                        wrong.Add($"{instance.Name}: passkey {passkey[..6]}... has uploaded {got.Uploaded}, downloaded {got.Downloaded}; " +
                            $"acknowledged {ackUp}/{ackDown}, sent {sentUp}/{sentDown}");
                    }
                }
            }
        }
        while (wrong.Count > 0 && DateTime.UtcNow < deadline);

        foreach (var violation in wrong)
        {
            _ledger.Violate(violation);
        }

        PasskeyBytes = expected.Sum(e => e.AckUp + e.AckDown);
    }

    /// <summary>Bytes of transfer the passkeys' acknowledged announces reported (all of it must be accounted).</summary>
    private long PasskeyBytes { get; set; }

    private static async Task<List<string>> CreatePasskeysAsync(HttpClient client, TrackerInstance instance)
    {
        var passkeys = new List<string>();
        for (var i = 0; i < Passkeys; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(instance.BaseAddress, "/admin/passkeys"))
            {
                Content = new StringContent("{\"name\":\"drill-" + i + "\"}", System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminToken);
            using var response = await client.SendAsync(request);
            response.EnsureSuccessStatusCode();
            using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            passkeys.Add(json.RootElement.GetProperty("passkey").GetString()!);
        }

        return passkeys;
    }

    private static async Task<Dictionary<string, (long Uploaded, long Downloaded)>> PasskeyFiguresAsync(HttpClient client, TrackerInstance instance)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(instance.BaseAddress, "/admin/passkeys"));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminToken);
        using var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("passkeys").EnumerateArray().ToDictionary(
            p => p.GetProperty("passkey").GetString()!,
            p => (p.GetProperty("uploaded").GetInt64(), p.GetProperty("downloaded").GetInt64()));
    }

    private async Task<List<(long Complete, long Incomplete, long Downloaded)>> ScrapeAsync(HttpClient client, TrackerInstance instance, bool withPasskey = true)
    {
        var body = await client.GetByteArrayAsync(new Uri(instance.BaseAddress, _workload.ScrapeUrl(withPasskey)));

        var files = BencodeDecoder.Decode(body)["files"]!;
        return [.. _workload.Hashes.Select(hash => files.Find(hash) is { } entry
            ? (entry["complete"]!.Integer, entry["incomplete"]!.Integer, entry["downloaded"]!.Integer)
            : (0L, 0L, 0L))];
    }
}
