namespace LiveRelay.LoadTest.Measurement;

/// <summary>Nearest-rank percentiles of a sample.</summary>
internal static class Percentiles
{
    /// <summary>The <paramref name="percentile"/>-th percentile (0–100) by nearest rank, or null for an empty sample.</summary>
    public static double? Of(IReadOnlyCollection<double> values, double percentile)
    {
        if (values.Count == 0)
        {
            return null;
        }

        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(percentile / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }

    public static double? Median(IReadOnlyCollection<double> values) => Of(values, 50);
}
