using System.Collections.Concurrent;
using LiveRelay.Core.Access;
using LiveRelay.Core.Diagnostics;

namespace LiveRelay.Server.Security;

/// <summary>
/// The play check every egress uses: the partner tokens (<see cref="LiveRelay.Newsroom.Access.PullAuthorizer"/>,
/// with the open/token policy per stream or app), then the operator's play callback when one is configured.
/// HLS asks per request, so an allowed HLS player (address, path, token) is not asked again for a minute.
/// </summary>
public sealed class PlayGate(IPlaybackAuthorizer tokens, AuthCallbacks callbacks, TimeProvider time, LiveRelayMetrics metrics) : IPlaybackAuthorizer
{
    private static readonly TimeSpan s_hlsRemembered = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<(string Path, string Address, string? Token), long> _hlsAllowed = new();

    public PlaybackDecision Authorize(PlaybackRequest request)
    {
        var decision = tokens.Authorize(request);
        if (!decision.Allowed)
        {
            metrics.PlayRefused(request.Protocol);
        }

        return decision;
    }

    public ValueTask<string?> ConfirmAsync(PlaybackRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!callbacks.HasPlay)
        {
            return ValueTask.FromResult<string?>(null);
        }

        var hlsKey = (request.Path, Host(request.RemoteAddress), request.Token);
        var now = time.GetTimestamp();
        if (request.Protocol == "hls" && _hlsAllowed.TryGetValue(hlsKey, out var at) && time.GetElapsedTime(at, now) < s_hlsRemembered)
        {
            return ValueTask.FromResult<string?>(null);
        }

        return new ValueTask<string?>(AskAsync(request, hlsKey, now, cancellationToken));
    }

    private async Task<string?> AskAsync(PlaybackRequest request, (string, string, string?) hlsKey, long now, CancellationToken cancellationToken)
    {
        var refusal = await callbacks.AskPlayAsync(CallbackEvent.Of("play", request.Path, request.Protocol, request.RemoteAddress, token: request.Token), cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            metrics.PlayRefused(request.Protocol);
            return refusal;
        }

        if (request.Protocol == "hls")
        {
            if (_hlsAllowed.Count > 100_000)
            {
                _hlsAllowed.Clear();
            }

            _hlsAllowed[hlsKey] = now;
        }

        return null;
    }

    private static string Host(string? remote) =>
        remote is null ? "" : System.Net.IPEndPoint.TryParse(remote, out var endPoint) ? endPoint.Address.ToString() : remote;
}
