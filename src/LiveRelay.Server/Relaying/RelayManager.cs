using System.Collections.Concurrent;
using System.Security.Cryptography;
using LiveRelay.Core.Diagnostics;
using LiveRelay.Core.Streams;
using LiveRelay.Newsroom.Model;
using LiveRelay.Newsroom.Storage;
using LiveRelay.Protocols.Rtmp.Client;

namespace LiveRelay.Server.Relaying;

/// <summary>
/// The relay-out targets running now: those in configuration (ids <c>config-N</c>) and those added,
/// changed and removed through the API, which the store keeps across restarts.
/// </summary>
public sealed class RelayManager(StreamHub hub, TimeProvider time, ILoggerFactory loggers, LiveRelayMetrics metrics, INewsroomStore store) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, RelayOut> _relays = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _changes = new(1, 1);
    private readonly RelayContext _context = new(hub, time, loggers.CreateLogger<RelayOut>(), metrics);

    public IReadOnlyList<RelayStatus> List() => [.. _relays.Values.Select(r => r.Status).OrderBy(s => s.Source, StringComparer.Ordinal).ThenBy(s => s.Id, StringComparer.Ordinal)];

    public RelayStatus? Find(string id) => _relays.TryGetValue(id, out var relay) ? relay.Status : null;

    /// <summary>Starts the relays of configuration and those the store kept.</summary>
    public async Task StartAsync(IReadOnlyList<RelayRequest> configured, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configured);
        for (var i = 0; i < configured.Count; i++)
        {
            if (Check(configured[i].Source, configured[i].Url, out var path) is null)
            {
                StartRelay(new RelayDefinition($"config-{i}", path, configured[i].Url!, time.GetUtcNow()));
            }
        }

        foreach (var stored in await store.ListRelayTargetsAsync(cancellationToken).ConfigureAwait(false))
        {
            StartRelay(stored);
        }
    }

    /// <summary>Adds and starts a relay, kept in the store; null with the error when the source or URL is not acceptable.</summary>
    public async Task<(RelayStatus? Status, string? Error)> AddAsync(string? source, string? url, CancellationToken cancellationToken)
    {
        if (Check(source, url, out var path) is { } error)
        {
            return (null, error);
        }

        var definition = new RelayDefinition(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), path, url!, time.GetUtcNow());
        await store.SaveRelayTargetAsync(definition, cancellationToken).ConfigureAwait(false);
        return (StartRelay(definition).Status, null);
    }

    /// <summary>Changes a relay (fields left out keep their values) and restarts it under the same id; null status and null error when there is no such relay.</summary>
    public async Task<(RelayStatus? Status, string? Error)> UpdateAsync(string id, string? source, string? url, CancellationToken cancellationToken)
    {
        await _changes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_relays.TryGetValue(id, out var old))
            {
                return (null, null);
            }

            if (Check(source ?? old.Definition.Source, url ?? old.Definition.Url, out var path) is { } error)
            {
                return (null, error);
            }

            var definition = old.Definition with { Source = path, Url = url ?? old.Definition.Url };
            if (old.Origin == "api")
            {
                await store.SaveRelayTargetAsync(definition, cancellationToken).ConfigureAwait(false);
            }

            _relays.TryRemove(id, out _);
            await old.DisposeAsync().ConfigureAwait(false);
            return (StartRelay(definition).Status, null);
        }
        finally
        {
            _changes.Release();
        }
    }

    /// <summary>Why a relay cannot be made (null when it can), with the normalized source path.</summary>
    public static string? Check(string? source, string? url, out string path)
    {
        if (!StreamPath.TryNormalize(source ?? "", out path, out var pathError))
        {
            return $"source: {pathError}";
        }

        if (url is not null && url.StartsWith("srt://", StringComparison.OrdinalIgnoreCase))
        {
            return Pulling.SrtPullSource.TryValidate(url, out _, out var srtError) ? null : $"url: {srtError}";
        }

        return RtmpUrl.TryParse(url, out _, out var urlError) ? null : $"url: {urlError}";
    }

    public async Task<bool> RemoveAsync(string id)
    {
        if (!_relays.TryRemove(id, out var relay))
        {
            return false;
        }

        await relay.DisposeAsync().ConfigureAwait(false);
        await store.DeleteRelayTargetAsync(id).ConfigureAwait(false);
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var relay in _relays.Values)
        {
            await relay.DisposeAsync().ConfigureAwait(false);
        }

        _relays.Clear();
    }

    private RelayOut StartRelay(RelayDefinition definition)
    {
        RelayOut relay = definition.Url.StartsWith("srt://", StringComparison.OrdinalIgnoreCase)
            ? new SrtRelayOut(definition, new Uri(definition.Url), _context)
            : new RtmpRelayOut(definition, RtmpUrl.TryParse(definition.Url, out var rtmp, out _) ? rtmp! : throw new InvalidOperationException("checked before"), _context);
        _relays[definition.Id] = relay;
        relay.Start();
        return relay;
    }
}
