using System.Collections.Concurrent;
using System.Security.Cryptography;
using LiveRelay.Core.Diagnostics;
using LiveRelay.Core.Streams;
using LiveRelay.Newsroom.Model;
using LiveRelay.Newsroom.Storage;
using LiveRelay.Protocols.Rtmp.Client;

namespace LiveRelay.Server.Pulling;

/// <summary>
/// The pull sources running now: those in configuration (ids <c>config-N</c>) and those added,
/// changed and removed through the API, which the store keeps across restarts. Serves the hub's
/// demand for paths of on-demand pulls.
/// </summary>
public sealed class PullManager : IAsyncDisposable
{
    public const int DefaultIdleSeconds = 30;

    private readonly ConcurrentDictionary<string, PullSource> _pulls = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _changes = new(1, 1);
    private readonly PullContext _context;
    private readonly INewsroomStore _store;

    public PullManager(StreamHub hub, TimeProvider time, ILoggerFactory loggers, LiveRelayMetrics metrics, INewsroomStore store)
    {
        ArgumentNullException.ThrowIfNull(hub);
        ArgumentNullException.ThrowIfNull(loggers);
        _context = new PullContext(hub, time, loggers.CreateLogger<PullSource>(), metrics);
        _store = store;
        hub.DemandHandler = Demand;
    }

    public IReadOnlyList<PullStatus> List() => [.. _pulls.Values.Select(p => p.Status).OrderBy(s => s.Path, StringComparer.Ordinal)];

    public PullStatus? Find(string id) => _pulls.TryGetValue(id, out var pull) ? pull.Status : null;

    /// <summary>Starts the pulls of configuration and those the store kept.</summary>
    public async Task StartAsync(IReadOnlyList<PullRequest> configured, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configured);
        var now = _context.Time.GetUtcNow();
        for (var i = 0; i < configured.Count; i++)
        {
            if (Define($"config-{i}", configured[i], now, out var definition) is null)
            {
                StartPull(definition!);
            }
        }

        foreach (var stored in await _store.ListPullSourcesAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!_pulls.Values.Any(p => p.Definition.Path == stored.Path))
            {
                StartPull(stored);
            }
        }
    }

    /// <summary>Adds and starts a pull, kept in the store; the status, or the error and its HTTP status.</summary>
    public async Task<(PullStatus? Status, string? Error, int StatusCode)> AddAsync(PullRequest input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        await _changes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Define(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), input, _context.Time.GetUtcNow(), out var definition) is { } error)
            {
                return (null, error, StatusCodes.Status400BadRequest);
            }

            if (PathTaken(definition!.Path, definition.Id) || !await _store.SavePullSourceAsync(definition, cancellationToken).ConfigureAwait(false))
            {
                return (null, $"path: {definition.Path} is pulled already", StatusCodes.Status409Conflict);
            }

            return (StartPull(definition).Status, null, StatusCodes.Status201Created);
        }
        finally
        {
            _changes.Release();
        }
    }

    /// <summary>Changes a pull (fields left out keep their values) and restarts it under the same id.</summary>
    public async Task<(PullStatus? Status, string? Error, int StatusCode)> UpdateAsync(string id, PullRequest input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        await _changes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_pulls.TryGetValue(id, out var old))
            {
                return (null, $"pull {id} does not exist", StatusCodes.Status404NotFound);
            }

            var was = old.Definition;
            var merged = new PullRequest(
                input.Path ?? was.Path, input.Url ?? was.Url, input.Transport ?? was.Transport, input.OnDemand ?? was.OnDemand, input.IdleSeconds ?? was.IdleSeconds);
            if (Define(id, merged, was.CreatedAt, out var definition) is { } error)
            {
                return (null, error, StatusCodes.Status400BadRequest);
            }

            if (PathTaken(definition!.Path, id) || (old.Origin == "api" && !await _store.SavePullSourceAsync(definition, cancellationToken).ConfigureAwait(false)))
            {
                return (null, $"path: {definition.Path} is pulled already", StatusCodes.Status409Conflict);
            }

            _pulls.TryRemove(id, out _);
            await old.DisposeAsync().ConfigureAwait(false);
            return (StartPull(definition).Status, null, StatusCodes.Status200OK);
        }
        finally
        {
            _changes.Release();
        }
    }

    public async Task<bool> RemoveAsync(string id)
    {
        if (!_pulls.TryRemove(id, out var pull))
        {
            return false;
        }

        await pull.DisposeAsync().ConfigureAwait(false);
        await _store.DeletePullSourceAsync(id).ConfigureAwait(false);
        return true;
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

        if (input.IdleSeconds is < 1 or > 86400)
        {
            return "idleSeconds must be 1–86400";
        }

        var url = input.Url ?? "";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return "url: a URL is required: rtsp(s)://, rtmp(s)://, srt:// or http(s)://….m3u8 (HLS)";
        }

        if (transport == "udp" && uri.Scheme != "rtsp")
        {
            return "transport: \"udp\" is for rtsp:// pulls (RTP over UDP); other pulls use their own transport";
        }

        return uri.Scheme switch
        {
            "srt" => SrtPullSource.TryValidate(url, out _, out var srtError) ? null : $"url: {srtError}",
            "http" or "https" => IsHls(uri) ? null : "url: an http(s) pull must be an HLS playlist (…m3u8)",
            "rtsp" or "rtsps" => uri.Host.Length > 0 ? null : "url: an rtsp(s)://[user:password@]host[:port]/path URL is required",
            "rtmp" or "rtmps" => RtmpUrl.TryParse(url, out _, out var urlError) ? null : $"url: {urlError}",
            var other => $"url: {other}:// pulls are not supported; rtsp(s)://, rtmp(s)://, srt:// and http(s)://….m3u8 (HLS) are",
        };
    }

    public async ValueTask DisposeAsync()
    {
        _context.Hub.DemandHandler = null;
        foreach (var pull in _pulls.Values)
        {
            await pull.DisposeAsync().ConfigureAwait(false);
        }

        _pulls.Clear();
    }

    /// <summary>An http(s) URL of an HLS playlist.</summary>
    private static bool IsHls(Uri uri) => uri.AbsolutePath.EndsWith(".m3u8", StringComparison.OrdinalIgnoreCase);

    private static string? Define(string id, PullRequest input, DateTimeOffset createdAt, out PullDefinition? definition)
    {
        definition = null;
        if (Check(input, out var path, out var transport) is { } error)
        {
            return error;
        }

        definition = new PullDefinition(id, path, input.Url!, transport, input.OnDemand ?? false, input.IdleSeconds ?? DefaultIdleSeconds, createdAt);
        return null;
    }

    private bool PathTaken(string path, string exceptId) => _pulls.Values.Any(p => p.Definition.Path == path && p.Definition.Id != exceptId);

    private PullSource StartPull(PullDefinition definition)
    {
        var uri = new Uri(definition.Url);
        PullSource pull = uri.Scheme switch
        {
            "srt" => new SrtPullSource(definition, uri, _context),
            "http" or "https" => new HlsPullSource(definition, uri, _context),
            "rtsp" or "rtsps" => new RtspPullSource(definition, uri, _context),
            _ => new RtmpPullSource(definition, RtmpUrl.TryParse(definition.Url, out var rtmp, out _) ? rtmp! : throw new InvalidOperationException("checked before"), _context),
        };
        _pulls[definition.Id] = pull;
        pull.Start();
        return pull;
    }

    private bool Demand(string path)
    {
        foreach (var pull in _pulls.Values)
        {
            if (pull.Definition.Path == path)
            {
                return pull.Demand();
            }
        }

        return false;
    }
}

/// <summary>A pull to start or the fields of one to change.</summary>
/// <param name="Path">The live path to publish at, e.g. <c>cams/door</c>.</param>
/// <param name="Url">What to pull: <c>rtsp(s)://[user:password@]host[:port]/path</c>, <c>rtmp(s)://host/app/stream</c>, <c>srt://host:port?streamid=…</c>, <c>http(s)://…/index.m3u8</c>.</param>
/// <param name="Transport"><c>tcp</c> (default) or <c>udp</c> (RTSP only: RTP over UDP).</param>
/// <param name="OnDemand">Connect only while someone plays the path (default false: always on).</param>
/// <param name="IdleSeconds">How long an on-demand pull stays connected after its last player leaves (default 30).</param>
public sealed record PullRequest(string? Path, string? Url, string? Transport, bool? OnDemand, int? IdleSeconds = null);
