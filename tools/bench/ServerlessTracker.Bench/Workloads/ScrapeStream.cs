namespace ServerlessTracker.Bench.Workloads;

/// <summary>Endless scrapes of <see cref="WorkloadSettings.ScrapeHashes"/> distinct info-hashes each, chosen with Zipf popularity.</summary>
public sealed class ScrapeStream : RequestStream
{
    private readonly Population population;
    private readonly Random random;
    private readonly int hashes;
    private readonly int[] chosen;

    public ScrapeStream(Population population, int streamSeed, bool connectionClose)
        : base(connectionClose)
    {
        this.population = population;
        random = new Random(unchecked((population.Settings.Seed * 7919) + streamSeed) & int.MaxValue);
        hashes = Math.Clamp(population.Settings.ScrapeHashes, 1, Math.Min(50, population.InfoHashes.Length));
        chosen = new int[hashes];
    }

    public override int MaxRequestBytes => 512 + (hashes * 72);

    protected override int WriteTarget(Span<byte> destination, out RequestInfo info)
    {
        var length = 0;
        Append(destination, ref length, "/scrape"u8);
        for (var i = 0; i < hashes; i++)
        {
            int torrent;
            do
            {
                torrent = population.Popularity.Sample(random);
            }
            while (Array.IndexOf(chosen, torrent, 0, i) >= 0);

            chosen[i] = torrent;
            Append(destination, ref length, i == 0 ? "?info_hash="u8 : "&info_hash="u8);
            Append(destination, ref length, population.EncodedInfoHashes[torrent]);
        }

        info = new RequestInfo(RequestKind.Scrape, false, false, hashes);
        return length;
    }
}
