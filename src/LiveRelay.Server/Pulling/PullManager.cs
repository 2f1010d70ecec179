using System.Collections.Concurrent;
using System.Security.Cryptography;
using LiveRelay.Core.Streams;
using LiveRelay.Protocols.Rtmp.Client;

namespace LiveRelay.Server.Pulling;

/// <summary>The pull sources running now: added and removed at run time through the API.</summary>
public sealed class PullManager(StreamHub hub, TimeProvider time, ILoggerFactory loggers) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, PullSource> _pulls = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggers.CreateLogger<PullSource>();

    public IReadOnlyList<PullStatus> List() => [.. _pulls.Values.Select(p => p.Status).OrderBy(s => s.Path, StringComparer.Ordinal)];

    public PullStatus? Find(string id) => _pulls.TryGetValue(id, out var pull) ? pull.Status : null;

    /// <summary>Starts pulling; null with the error when the request is not acceptable.</summary>
    public PullStatus? Add(PullRequest input, out string? error)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!StreamPath.TryNormalize(input.Path ?? "", out var path, out var pathError))
        {
            error = $"path: {pathError}";
            return null;
        }

        var transport = (input.Transport ?? "tcp").ToLowerInvariant();
        if (transport is not ("tcp" or "udp"))
        {
            error = "transport must be \"tcp\" or \"udp\"";
            return null;
        }

        if (input.OnDemand == true)
        {
            error = "onDemand pulls are not supported yet: pulls are always on";
            return null;
        }

        if (_pulls.Values.Any(p => p.Definition.Path == path))
        {
            error = $"path: {path} is pulled already";
            return null;
        }

        var definition = new PullDefinition(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), path, input.Url ?? "", transport, false);
        PullSource pull;
        if (input.Url is { } srt && srt.StartsWith("srt://", StringComparison.OrdinalIgnoreCase))
        {
            if (!SrtPullSource.TryValidate(srt, out var uri, out var srtError))
            {
                error = $"url: {srtError}";
                return null;
            }

            pull = new SrtPullSource(definition, uri!, hub, time, _logger);
        }
        else if (input.Url is { } other && !other.StartsWith("rtmp://", StringComparison.OrdinalIgnoreCase) && Uri.TryCreate(other, UriKind.Absolute, out var otherUri))
        {
            error = $"url: {otherUri.Scheme}:// pulls are not supported yet; rtmp:// and srt:// are";
            return null;
        }
        else if (RtmpUrl.TryParse(input.Url, out var rtmp, out var urlError))
        {
            pull = new RtmpPullSource(definition, rtmp!, hub, time, _logger);
        }
        else
        {
            error = $"url: {urlError}";
            return null;
        }

        _pulls[definition.Id] = pull;
        pull.Start();
        error = null;
        return pull.Status;
    }

    public async Task<bool> RemoveAsync(string id)
    {
        if (!_pulls.TryRemove(id, out var pull))
        {
            return false;
        }

        await pull.DisposeAsync().ConfigureAwait(false);
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var id in _pulls.Keys)
        {
            await RemoveAsync(id).ConfigureAwait(false);
        }
    }
}

/// <summary>A pull to start.</summary>
/// <param name="Path">The live path to publish at, e.g. <c>cams/door</c>.</param>
/// <param name="Url">What to pull, e.g. <c>rtmp://host/app/stream</c>.</param>
/// <param name="Transport"><c>tcp</c> (default) or <c>udp</c> (RTSP only).</param>
/// <param name="OnDemand">Start only while someone plays (not supported yet).</param>
public sealed record PullRequest(string? Path, string? Url, string? Transport, bool? OnDemand);
