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
        error = Check(input, out var path, out var transport);
        if (error is not null)
        {
            return null;
        }

        if (_pulls.Values.Any(p => p.Definition.Path == path))
        {
            error = $"path: {path} is pulled already";
            return null;
        }

        var definition = new PullDefinition(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), path, input.Url!, transport, false);
        PullSource pull = input.Url!.StartsWith("srt://", StringComparison.OrdinalIgnoreCase) ? new SrtPullSource(definition, new Uri(input.Url), hub, time, _logger)
            : IsHls(input.Url) ? new HlsPullSource(definition, new Uri(input.Url), hub, time, _logger)
            : input.Url.StartsWith("rtsp://", StringComparison.OrdinalIgnoreCase) ? new RtspPullSource(definition, new Uri(input.Url), hub, time, _logger)
            : new RtmpPullSource(definition, RtmpUrl.TryParse(input.Url, out var rtmp, out _) ? rtmp! : throw new InvalidOperationException("checked above"), hub, time, _logger);
        _pulls[definition.Id] = pull;
        pull.Start();
        return pull.Status;
    }

    /// <summary>Why a pull cannot be made (null when it can), with its normalized path and transport.</summary>
    public static string? Check(PullRequest input, out string path, out string transport)
    {
        ArgumentNullException.ThrowIfNull(input);
        transport = (input.Transport ?? "tcp").ToLowerInvariant();
        if (!StreamPath.TryNormalize(input.Path ?? "", out path, out var pathError))
        {
            return $"path: {pathError}";
        }

        if (transport is not ("tcp" or "udp"))
        {
            return "transport must be \"tcp\" or \"udp\"";
        }

        if (input.OnDemand == true)
        {
            return "onDemand pulls are not supported yet: pulls are always on";
        }

        if (input.Url is { } srt && srt.StartsWith("srt://", StringComparison.OrdinalIgnoreCase))
        {
            return SrtPullSource.TryValidate(srt, out _, out var srtError) ? null : $"url: {srtError}";
        }

        if (IsHls(input.Url))
        {
            return null;
        }

        if (input.Url is { } rtsp && rtsp.StartsWith("rtsp://", StringComparison.OrdinalIgnoreCase))
        {
            if (transport == "udp")
            {
                return "transport: RTSP over UDP is not supported yet; \"tcp\" (interleaved) is";
            }

            return Uri.TryCreate(rtsp, UriKind.Absolute, out var rtspUri) && rtspUri.Host.Length > 0 ? null : "url: an rtsp://[user:password@]host[:port]/path URL is required";
        }

        if (input.Url is { } other && !other.StartsWith("rtmp://", StringComparison.OrdinalIgnoreCase) && Uri.TryCreate(other, UriKind.Absolute, out var otherUri))
        {
            return $"url: {otherUri.Scheme}:// pulls are not supported yet; rtmp://, rtsp://, srt:// and http(s)://….m3u8 (HLS) are";
        }

        return RtmpUrl.TryParse(input.Url, out _, out var urlError) ? null : $"url: {urlError}";
    }

    /// <summary>An http(s) URL of an HLS playlist.</summary>
    private static bool IsHls(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.AbsolutePath.EndsWith(".m3u8", StringComparison.OrdinalIgnoreCase);

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
