using System.Collections.Concurrent;
using System.Security.Cryptography;
using LiveRelay.Core.Streams;
using LiveRelay.Protocols.Rtmp.Client;

namespace LiveRelay.Server.Relaying;

/// <summary>The relay-out targets running now: added and removed at run time through the API.</summary>
public sealed class RelayManager(StreamHub hub, TimeProvider time, ILoggerFactory loggers) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, RelayOut> _relays = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggers.CreateLogger<RelayOut>();

    public IReadOnlyList<RelayStatus> List() => [.. _relays.Values.Select(r => r.Status).OrderBy(s => s.Source, StringComparer.Ordinal).ThenBy(s => s.Id, StringComparer.Ordinal)];

    public RelayStatus? Find(string id) => _relays.TryGetValue(id, out var relay) ? relay.Status : null;

    /// <summary>Starts a relay; the error when the source or URL is not acceptable.</summary>
    public RelayStatus? Add(string? source, string? url, out string? error)
    {
        if (!StreamPath.TryNormalize(source ?? "", out var path, out var pathError))
        {
            error = $"source: {pathError}";
            return null;
        }

        if (url is not null && url.StartsWith("rtmps://", StringComparison.OrdinalIgnoreCase))
        {
            error = "url: rtmps:// relay targets are not supported yet; rtmp:// and srt:// are";
            return null;
        }

        var definition = new RelayDefinition(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), path, url ?? "");
        RelayOut relay;
        if (url is not null && url.StartsWith("srt://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Pulling.SrtPullSource.TryValidate(url, out var srt, out var srtError))
            {
                error = $"url: {srtError}";
                return null;
            }

            relay = new SrtRelayOut(definition, srt!, hub, time, _logger);
        }
        else if (RtmpUrl.TryParse(url, out var rtmp, out var urlError))
        {
            relay = new RtmpRelayOut(definition, rtmp!, hub, time, _logger);
        }
        else
        {
            error = $"url: {urlError}";
            return null;
        }

        _relays[definition.Id] = relay;
        relay.Start();
        error = null;
        return relay.Status;
    }

    public async Task<bool> RemoveAsync(string id)
    {
        if (!_relays.TryRemove(id, out var relay))
        {
            return false;
        }

        await relay.DisposeAsync().ConfigureAwait(false);
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var id in _relays.Keys)
        {
            await RemoveAsync(id).ConfigureAwait(false);
        }
    }
}
