namespace ServerlessTracker.Bench.Workloads;

/// <summary>Samples ranks 0..n-1 with probability proportional to 1/(rank+1)^exponent (skewed torrent popularity).</summary>
public sealed class ZipfSampler
{
    private readonly double[] cumulative;

    public ZipfSampler(int count, double exponent)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        cumulative = new double[count];
        var sum = 0.0;
        for (var rank = 0; rank < count; rank++)
        {
            sum += 1.0 / Math.Pow(rank + 1, exponent);
            cumulative[rank] = sum;
        }

        for (var rank = 0; rank < count; rank++)
        {
            cumulative[rank] /= sum;
        }
    }

    /// <summary>Share of all samples that fall on <paramref name="rank"/>.</summary>
    public double Probability(int rank) => rank == 0 ? cumulative[0] : cumulative[rank] - cumulative[rank - 1];

    public int Sample(Random random)
    {
        var index = Array.BinarySearch(cumulative, random.NextDouble());
        index = index < 0 ? ~index : index;
        return Math.Min(index, cumulative.Length - 1);
    }
}
