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

    /// <summary>Starts a relay; null with the error when the source or URL is not acceptable.</summary>
    public RelayStatus? Add(string? source, string? url, out string? error)
    {
        error = Check(source, url, out var path);
        if (error is not null)
        {
            return null;
        }

        var definition = new RelayDefinition(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), path, url!);
        RelayOut relay = url!.StartsWith("srt://", StringComparison.OrdinalIgnoreCase)
            ? new SrtRelayOut(definition, new Uri(url), hub, time, _logger)
            : new RtmpRelayOut(definition, RtmpUrl.TryParse(url, out var rtmp, out _) ? rtmp! : throw new InvalidOperationException("checked above"), hub, time, _logger);
        _relays[definition.Id] = relay;
        relay.Start();
        return relay.Status;
    }

    /// <summary>Why a relay cannot be made (null when it can), with the normalized source path.</summary>
    public static string? Check(string? source, string? url, out string path)
    {
        if (!StreamPath.TryNormalize(source ?? "", out path, out var pathError))
        {
            return $"source: {pathError}";
        }

        if (url is not null && url.StartsWith("rtmps://", StringComparison.OrdinalIgnoreCase))
        {
            return "url: rtmps:// relay targets are not supported yet; rtmp:// and srt:// are";
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
