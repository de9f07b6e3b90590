namespace ServerlessTracker.Bench.Workloads;

/// <summary>What the simulated world looks like; the same values give byte-identical request streams.</summary>
/// <param name="Torrents">Number of torrents (default 1,000).</param>
/// <param name="Peers">Number of distinct peers (default 100,000).</param>
/// <param name="ZipfExponent">Skew of torrent popularity (default 1.0: the top torrent gets ~13% of peers at 1,000 torrents).</param>
/// <param name="Seed">Seed for every random choice (default 20240601).</param>
/// <param name="SeederShare">Share of peers that start as seeders (default 0.4).</param>
/// <param name="NumWant">numwant sent with every announce (default 50, both trackers' default).</param>
/// <param name="ScrapeHashes">info_hash keys per scrape request (default 1).</param>
public sealed record WorkloadSettings(
    int Torrents = 1000,
    int Peers = 100_000,
    double ZipfExponent = 1.0,
    int Seed = 20240601,
    double SeederShare = 0.4,
    int NumWant = 50,
    int ScrapeHashes = 1);
