using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Policy.Passkeys;

namespace ServerlessTracker.Storage.Tests.Regions;

/// <summary>Three regions as deployed: each its own tables (its own storage account), changes replicated through the real
/// sync wire encoding; one swarm of over 1,000 rows in each region, so every refresh reads a random window; keyed,
/// accounted peers hop between regions, in and out of the windows, and sleep past the peer TTL.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class WhenPeersHopBetweenRegions(AzuriteFixture azurite)
{
    private const int Fillers = 1_100;
    private const int Hoppers = 9;
    private const int FirstHopper = 20_001;
    private static readonly string[] Names = ["east", "west", "north"];

    [Fact]
    public async Task EveryPasskeysFiguresAreTheTrueDeltasAndEveryRegionHoldsPeersToTheirKeys()
    {
        var time = Tables.Clock();
        var settings = new SwarmSettings { RememberStops = true };
        var hash = Peers.Hash(900);
        var regions = Names.Select((name, i) => new SyncedRegion(name, azurite.NewTables(o => o.WindowRows = 100), settings, time, seed: 11 + i)).ToArray();
        try
        {
            // Over 1,000 rows in each region's partition: refreshes read the counters and a random window of 100 peers.
            foreach (var region in regions)
            {
                // A few at a time: 1,100 at once can outlast the store's timeout on a busy machine, which is not what this tests.
                await Parallel.ForEachAsync(Enumerable.Range(1, Fillers), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (n, _) =>
                    Assert.Equal(AnnounceStatus.Ok, (await region.Store.AnnounceAsync(Peers.Command(hash, n, PeerEvent.Started))).Status));
            }

            var passkeys = await PasskeysInEveryRegionAsync(regions, "alice", "bob", "carol");
            var random = new Random(2026);
            var sent = new (long Uploaded, long Downloaded)[Hoppers];
            for (var i = 0; i < Hoppers; i++)
            {
                var started = await regions[random.Next(regions.Length)].AnnounceAsync(passkeys[i % 3], Hopper(hash, i) with { Event = PeerEvent.Started });
                Assert.Equal(AnnounceStatus.Ok, started.Status);
            }

            await SyncedRegion.DeliverAsync(regions);
            for (var round = 0; round < 12; round++)
            {
                // Past the cache staleness: every region reads a new window. Once, past the peer TTL: every row expired.
                time.Advance(TimeSpan.FromSeconds(round == 6 ? settings.PeerTtlSeconds + 60 : 6));
                for (var i = 0; i < Hoppers; i++)
                {
                    if (random.Next(4) != 0)
                    {
                        sent[i] = (sent[i].Uploaded + random.Next(1, 1 << 24), sent[i].Downloaded + random.Next(0, 1 << 24));
                    }

                    var region = regions[random.Next(regions.Length)];
                    var command = Hopper(hash, i) with { Uploaded = sent[i].Uploaded, Downloaded = sent[i].Downloaded };
                    var result = await region.AnnounceAsync(passkeys[i % 3], round == 4 ? command with { Event = PeerEvent.Completed, Left = 0 } : command);
                    Assert.Equal(AnnounceStatus.Ok, result.Status);
                }

                await SyncedRegion.DeliverAsync(regions);
            }

            // The key rule holds in every region, for every hopper, whichever region it last announced to.
            foreach (var region in regions)
            {
                for (var i = 0; i < Hoppers; i++)
                {
                    var hijack = await region.Front.AnnounceAsync(Peers.Command(hash, FirstHopper + i, PeerEvent.Started) with { Address = Peers.Address(66), Port = 1 });
                    Assert.True(hijack.Status == AnnounceStatus.KeyMismatch, $"{region.Name} let hopper {i} be taken over");
                }
            }

            time.Advance(TimeSpan.FromSeconds(6));
            for (var i = 0; i < Hoppers; i++)
            {
                sent[i] = (sent[i].Uploaded + 1000, sent[i].Downloaded);
                var command = Hopper(hash, i) with { Event = PeerEvent.Stopped, Uploaded = sent[i].Uploaded, Downloaded = sent[i].Downloaded };
                Assert.Equal(AnnounceStatus.Ok, (await regions[random.Next(regions.Length)].AnnounceAsync(passkeys[i % 3], command)).Status);
            }

            await SyncedRegion.DeliverAsync(regions);
            for (var p = 0; p < passkeys.Length; p++)
            {
                var expected = (Enumerable.Range(0, Hoppers).Where(i => i % 3 == p).Sum(i => sent[i].Uploaded),
                    Enumerable.Range(0, Hoppers).Where(i => i % 3 == p).Sum(i => sent[i].Downloaded));
                var credited = (regions.Sum(r => r.Policy.Passkeys.Find(passkeys[p])!.Uploaded), regions.Sum(r => r.Policy.Passkeys.Find(passkeys[p])!.Downloaded));
                Assert.Equal(expected, credited);
            }
        }
        finally
        {
            foreach (var region in regions)
            {
                region.Dispose();
            }
        }
    }

    /// <summary>Hopper <paramref name="i"/>: its own address and key, the same wherever it announces.</summary>
    private static AnnounceCommand Hopper(InfoHash hash, int i) =>
        Peers.Command(hash, FirstHopper + i) with { Key = 0xA000u + (uint)i, HasKey = true };

    /// <summary>Passkeys made in the first region and known in every region, as operator sync makes them.</summary>
    private static async Task<string[]> PasskeysInEveryRegionAsync(SyncedRegion[] regions, params string[] names)
    {
        var passkeys = new string[names.Length];
        for (var i = 0; i < names.Length; i++)
        {
            var account = await regions[0].Policy.Passkeys.CreateAsync(names[i], CancellationToken.None);
            passkeys[i] = account.Passkey;
            foreach (var region in regions.Skip(1))
            {
                region.Policy.Passkeys.Learn(new PasskeyRecord(account.Passkey, names[i], account.CreatedAt, null, 0, 0));
            }
        }

        return passkeys;
    }
}
