using System.Collections.Concurrent;
using System.Security.Cryptography;
using LiveRelay.Core.Access;
using LiveRelay.Newsroom.Model;
using Microsoft.Extensions.Logging;

namespace LiveRelay.Newsroom.Access;

/// <summary>
/// The play check for partner pulls: a play that presents a token must carry a valid signature, be
/// for that stream, not be expired, and belong to a share that is still active; every such attempt
/// goes to the pull log (refusals with the reason), and revoking a share ends its pulls at once.
/// Plays without a token pass unless <see cref="RequireToken"/> is set. HLS is request by request, so
/// its requests are gathered into one pull per token and player address, ended after a quiet spell.
/// </summary>
public sealed partial class PullAuthorizer : IPlaybackAuthorizer, IDisposable
{
    private static readonly TimeSpan s_hlsIdle = TimeSpan.FromSeconds(20);

    private readonly PlayTokens _tokens;
    private readonly ShareRegistry _shares;
    private readonly PullLog _log;
    private readonly TimeProvider _time;
    private readonly ILogger<PullAuthorizer> _logger;
    private readonly ConcurrentDictionary<TrackedGrant, byte> _live = new();
    private readonly ConcurrentDictionary<(string Token, string Address), TrackedGrant> _hls = new();
    private readonly ITimer _sweeper;

    public PullAuthorizer(PlayTokens tokens, ShareRegistry shares, PullLog log, TimeProvider time, ILogger<PullAuthorizer> logger)
    {
        _tokens = tokens;
        _shares = shares;
        _log = log;
        _time = time;
        _logger = logger;
        _shares.Revoked += OnRevoked;
        _sweeper = time.CreateTimer(_ => Sweep(), null, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
    }

    /// <summary>Refuse plays that present no token, on every path.</summary>
    public bool RequireToken { get; init; }

    /// <summary>Refuse plays that present no token on the paths this says (per stream or app policy).</summary>
    public Func<string, bool> RequireTokenFor { get; init; } = static _ => false;

    /// <summary>The share id in tokens the server gives signed-in directors for their monitors: checked, not logged as pulls.</summary>
    public const string MonitorShareId = "monitor";

    /// <summary>Pulls in progress.</summary>
    public int LivePulls => _live.Count;

    /// <summary>Raised when a logged pull starts and when it ends (refusals are not pulls).</summary>
    public event Action<PullActivity>? Activity;

    /// <summary>The pulls in progress.</summary>
    public IReadOnlyList<PullActivity> Current() => [.. _live.Keys.Select(g => g.Describe(null))];

    public PlaybackDecision Authorize(PlaybackRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Token is null)
        {
            return RequireToken || RequireTokenFor(request.Path)
                ? PlaybackDecision.Refuse($"{request.Path} needs a play token (?token=… from a share's pull links)")
                : PlaybackDecision.Allow(PlaybackGrant.Open());
        }

        var now = _time.GetUtcNow();
        if (request.Protocol == "hls" && _hls.TryGetValue((request.Token, Address(request.RemoteAddress)), out var session)
            && session.Claims.Path == request.Path && !session.Revoked.IsCancellationRequested)
        {
            // A further request of a pull already checked (same token, player and stream): only the share's state can have changed.
            return _shares.IsActive(session.Claims.ShareId, now) ? PlaybackDecision.Allow(session.Touch(now)) : Refuse(request, session.Claims, now, "the share was revoked or has expired");
        }

        if (!_tokens.TryValidate(request.Token, request.Path, now, out var claims, out var error))
        {
            _tokens.TryRead(request.Token, out var unverified, out _);
            return Refuse(request, error.Contains("forged", StringComparison.Ordinal) ? null : unverified, now, error);
        }

        if (claims!.ShareId == MonitorShareId)
        {
            return PlaybackDecision.Allow(PlaybackGrant.Open());
        }

        if (!_shares.IsActive(claims.ShareId, now))
        {
            return Refuse(request, claims, now, "the share was revoked or has expired");
        }

        var grant = new TrackedGrant(this, claims, request, now);
        _live[grant] = 0;
        _log.Started(new PullRecord
        {
            Id = grant.Id,
            StationId = claims.StationId,
            ShareId = claims.ShareId,
            StreamPath = request.Path,
            Protocol = request.Protocol,
            RemoteAddress = request.RemoteAddress,
            StartedAt = now,
        });
        Log.PullStarted(_logger, claims.StationId, request.Path, request.Protocol, request.RemoteAddress ?? "");
        Activity?.Invoke(grant.Describe(null));
        if (request.Protocol == "hls")
        {
            _hls[(request.Token, Address(request.RemoteAddress))] = grant;
            return PlaybackDecision.Allow(grant.Touch(now));
        }

        return PlaybackDecision.Allow(grant);
    }

    public void Dispose()
    {
        _sweeper.Dispose();
        _shares.Revoked -= OnRevoked;
        foreach (var grant in _hls.Values)
        {
            grant.Dispose();
        }
    }

    private PlaybackDecision Refuse(PlaybackRequest request, PlayTokenClaims? claims, DateTimeOffset now, string reason)
    {
        _log.Started(new PullRecord
        {
            Id = NewId(),
            StationId = claims?.StationId ?? "",
            ShareId = claims?.ShareId,
            StreamPath = request.Path,
            Protocol = request.Protocol,
            RemoteAddress = request.RemoteAddress,
            StartedAt = now,
            EndedAt = now,
            Refusal = reason,
        });
        Log.PullRefused(_logger, claims?.StationId ?? "?", request.Path, request.Protocol, request.RemoteAddress ?? "", reason);
        return PlaybackDecision.Refuse(reason);
    }

    private void OnRevoked(string shareId)
    {
        foreach (var grant in _live.Keys)
        {
            if (grant.Claims.ShareId == shareId)
            {
                grant.Revoke("the share was revoked");
                if (grant.Protocol == "hls")
                {
                    grant.Dispose();
                }
            }
        }
    }

    /// <summary>Ends HLS pulls that went quiet and pulls whose share has expired.</summary>
    private void Sweep()
    {
        var now = _time.GetUtcNow();
        foreach (var grant in _live.Keys)
        {
            if (!_shares.IsActive(grant.Claims.ShareId, now))
            {
                grant.Revoke("the share has expired");
            }
        }

        foreach (var (key, grant) in _hls)
        {
            if (now - grant.LastSeen > s_hlsIdle && _hls.TryRemove(new KeyValuePair<(string, string), TrackedGrant>(key, grant)))
            {
                grant.Dispose();
            }
        }
    }

    private void Ended(TrackedGrant grant)
    {
        _live.TryRemove(grant, out _);
        if (grant.Protocol == "hls")
        {
            foreach (var (key, value) in _hls)
            {
                if (ReferenceEquals(value, grant))
                {
                    _hls.TryRemove(key, out _);
                }
            }
        }

        var now = _time.GetUtcNow();
        _log.Ended(grant.Id, now, grant.Bytes, grant.RevokedReason);
        Activity?.Invoke(grant.Describe(now));
        Log.PullEnded(_logger, grant.Claims.StationId, grant.Claims.Path, grant.Protocol, grant.Bytes, grant.RevokedReason ?? "ended");
    }

    private static string Address(string? remote)
    {
        if (remote is null)
        {
            return "";
        }

        // "10.0.0.1:5000" or "[::1]:5000": the address without the port (HLS requests come on new connections).
        if (remote.StartsWith('[') && remote.IndexOf(']', StringComparison.Ordinal) is var close and > 0)
        {
            return remote[..(close + 1)];
        }

        var colon = remote.LastIndexOf(':');
        return colon > 0 && remote.IndexOf(':') == colon ? remote[..colon] : remote;
    }

    internal static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <summary>A play under a token: logged when it starts and when it ends.</summary>
    private sealed class TrackedGrant(PullAuthorizer owner, PlayTokenClaims claims, PlaybackRequest request, DateTimeOffset now) : PlaybackGrant
    {
        private long _lastSeenTicks = now.UtcTicks;

        public string Id { get; } = NewId();

        public PlayTokenClaims Claims { get; } = claims;

        public string Protocol { get; } = request.Protocol;

        public string? RemoteAddress { get; } = request.RemoteAddress;

        public DateTimeOffset StartedAt { get; } = now;

        public PullActivity Describe(DateTimeOffset? endedAt) =>
            new(Id, Claims.StationId, Claims.ShareId, Claims.Path, Protocol, RemoteAddress, StartedAt, endedAt, Bytes, RevokedReason);

        public DateTimeOffset LastSeen => new(Interlocked.Read(ref _lastSeenTicks), TimeSpan.Zero);

        /// <summary>For HLS: one request of the pull; disposing it does not end the pull.</summary>
        public PlaybackGrant Touch(DateTimeOffset at)
        {
            Interlocked.Exchange(ref _lastSeenTicks, at.UtcTicks);
            return new RequestGrant(this);
        }

        protected override void OnEnded() => owner.Ended(this);
    }

    /// <summary>One HLS request: its bytes go to the pull; the pull ends when the player goes quiet.</summary>
    private sealed class RequestGrant(TrackedGrant pull) : PlaybackGrant
    {
        protected override void OnEnded() => pull.AddBytes(Bytes);
    }

    private static partial class Log
    {
        [LoggerMessage(2330, LogLevel.Information, "Pull by station {StationId}: {StreamPath} over {Protocol} to {RemoteAddress}")]
        public static partial void PullStarted(ILogger logger, string stationId, string streamPath, string protocol, string remoteAddress);

        [LoggerMessage(2331, LogLevel.Warning, "Pull by station {StationId} of {StreamPath} over {Protocol} from {RemoteAddress} refused: {Reason}")]
        public static partial void PullRefused(ILogger logger, string stationId, string streamPath, string protocol, string remoteAddress, string reason);

        [LoggerMessage(2332, LogLevel.Information, "Pull by station {StationId} of {StreamPath} over {Protocol} ended after {Bytes} bytes ({Reason})")]
        public static partial void PullEnded(ILogger logger, string stationId, string streamPath, string protocol, long bytes, string reason);
    }
}

/// <summary>A partner pull starting or ended (<see cref="EndedAt"/> set).</summary>
public sealed record PullActivity(
    string Id,
    string StationId,
    string ShareId,
    string StreamPath,
    string Protocol,
    string? RemoteAddress,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    long Bytes,
    string? EndReason);
