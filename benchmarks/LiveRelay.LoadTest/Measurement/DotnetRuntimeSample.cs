using System.Globalization;

namespace LiveRelay.LoadTest.Measurement;

/// <summary>
/// The .NET GC figures a LiveRelay server exports at <c>/metrics</c> (System.Runtime meter, Prometheus
/// text): bytes allocated so far, collections per generation, and the heap after the last
/// collection. They show where the server's RSS went (gen0 budget, LOH buffers, Kestrel's pinned
/// block pool on the POH). Optional: a server without /metrics simply gives none.
/// </summary>
internal sealed record DotnetRuntimeSample(
    double AllocatedBytes,
    double Gen0Collections,
    double Gen1Collections,
    double Gen2Collections,
    IReadOnlyDictionary<string, double> HeapBytesByGeneration,
    double? CommittedBytes)
{
    private static readonly TimeSpan RequestLimit = TimeSpan.FromSeconds(2);

    /// <summary>Reads the sample, or null when the server has no usable /metrics.</summary>
    public static async Task<DotnetRuntimeSample?> TakeAsync(HttpClient http, Uri? metrics, CancellationToken cancellationToken)
    {
        if (metrics is null)
        {
            return null;
        }

        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(RequestLimit);
            return Parse(await http.GetStringAsync(metrics, limit.Token).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is HttpRequestException or FormatException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null;
        }
    }

    //  name{label="value",...} number        one sample per line; '#' lines are comments
    public static DotnetRuntimeSample? Parse(string exposition)
    {
        double? allocated = null, committed = null;
        var collections = new Dictionary<string, double>();
        var heap = new Dictionary<string, double>();
        foreach (var line in exposition.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }

            var space = line.LastIndexOf(' ');
            if (space < 0 || !double.TryParse(line.AsSpan(space + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }

            var series = line[..space];
            var brace = series.IndexOf('{', StringComparison.Ordinal);
            var name = brace < 0 ? series : series[..brace];
            var generation = Label(series, "gc_heap_generation");
            switch (name)
            {
                case "dotnet_gc_heap_total_allocated_bytes_total":
                    allocated = value;
                    break;
                case "dotnet_gc_collections_total" when generation is not null:
                    collections[generation] = value;
                    break;
                case "dotnet_gc_last_collection_heap_size_bytes" when generation is not null:
                    heap[generation] = value;
                    break;
                case "dotnet_gc_last_collection_memory_committed_size_bytes":
                    committed = value;
                    break;
            }
        }

        return allocated is null
            ? null
            : new DotnetRuntimeSample(
                allocated.Value,
                collections.GetValueOrDefault("gen0"),
                collections.GetValueOrDefault("gen1"),
                collections.GetValueOrDefault("gen2"),
                heap,
                committed);
    }

    private static string? Label(string series, string label)
    {
        var start = series.IndexOf(label + "=\"", StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        start += label.Length + 2;
        var end = series.IndexOf('"', start);
        return end < 0 ? null : series[start..end];
    }
}

/// <summary>What the server's .NET runtime did over the window, and its heap at the end.</summary>
/// <param name="AllocatedMBps">Managed allocation rate over the window (MB/s, 10^6 bytes).</param>
/// <param name="Gen0">Gen 0 collections in the window.</param>
/// <param name="Gen1">Gen 1 collections in the window.</param>
/// <param name="Gen2">Gen 2 collections in the window.</param>
/// <param name="HeapMiBByGeneration">Heap per generation (gen0, gen1, gen2, loh, poh) after the last collection, MiB.</param>
/// <param name="CommittedMiB">Memory the GC had committed after the last collection, MiB.</param>
internal sealed record DotnetRuntimeWindow(
    double AllocatedMBps, double Gen0, double Gen1, double Gen2, IReadOnlyDictionary<string, double> HeapMiBByGeneration, double? CommittedMiB)
{
    public static DotnetRuntimeWindow? Between(DotnetRuntimeSample? start, DotnetRuntimeSample? end, double seconds) =>
        start is null || end is null || seconds <= 0
            ? null
            : new DotnetRuntimeWindow(
                (end.AllocatedBytes - start.AllocatedBytes) / seconds / 1e6,
                end.Gen0Collections - start.Gen0Collections,
                end.Gen1Collections - start.Gen1Collections,
                end.Gen2Collections - start.Gen2Collections,
                end.HeapBytesByGeneration.ToDictionary(kv => kv.Key, kv => kv.Value / 1024 / 1024),
                end.CommittedBytes / 1024 / 1024);
}
