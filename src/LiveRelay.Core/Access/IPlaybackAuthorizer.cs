namespace LiveRelay.Core.Access;

/// <summary>
/// Decides whether a player may play a stream (the seam between egress adapters and the newsroom's
/// signed partner tokens). Every egress asks once per play (per connection; per request for HLS) before
/// sending anything, and keeps the grant for as long as it plays.
/// </summary>
public interface IPlaybackAuthorizer
{
    /// <summary>A grant to play, or a refusal with the reason for the player and the log (tokens only; never waits).</summary>
    PlaybackDecision Authorize(PlaybackRequest request);

    /// <summary>
    /// The part of the check that may have to wait (the operator's play callback), asked after a grant:
    /// null to go on, else the refusal (the caller then disposes the grant). Completes at once when there is nothing to ask.
    /// </summary>
    ValueTask<string?> ConfirmAsync(PlaybackRequest request, CancellationToken cancellationToken) => ValueTask.FromResult<string?>(null);

    /// <summary>The whole check: <see cref="Authorize"/>, then <see cref="ConfirmAsync"/>. Egress adapters that can wait call this one.</summary>
    async ValueTask<PlaybackDecision> AuthorizeAsync(PlaybackRequest request, CancellationToken cancellationToken)
    {
        var decision = Authorize(request);
        if (decision.Grant is not { } grant)
        {
            return decision;
        }

        var refusal = await ConfirmAsync(request, cancellationToken).ConfigureAwait(false);
        if (refusal is null)
        {
            return decision;
        }

        grant.Dispose();
        return PlaybackDecision.Refuse(refusal);
    }
}

/// <summary>A play about to start.</summary>
/// <param name="Path">The stream path.</param>
/// <param name="Protocol"><c>rtmp</c>, <c>flv</c>, <c>hls</c>, <c>srt</c> or <c>whep</c>.</param>
/// <param name="RemoteAddress">The player's address (and port, for connections).</param>
/// <param name="Token">The token the player presented (<c>?token=</c>), or null.</param>
public sealed record PlaybackRequest(string Path, string Protocol, string? RemoteAddress, string? Token);

/// <summary>The answer: a grant, or why not.</summary>
public readonly record struct PlaybackDecision(PlaybackGrant? Grant, string? Refusal)
{
    public bool Allowed => Grant is not null;

    public static PlaybackDecision Allow(PlaybackGrant grant) => new(grant, null);

    public static PlaybackDecision Refuse(string reason) => new(null, reason);
}

/// <summary>
/// A play in progress. The egress adds the bytes it sends (per write batch, not per frame), stops when
/// <see cref="Revoked"/> fires (a revoked share ends its pulls), and disposes the grant when the play ends.
/// </summary>
public class PlaybackGrant : IDisposable
{
    private readonly CancellationTokenSource _revoked = new();
    private long _bytes;
    private int _ended;

    /// <summary>A grant that nothing tracks (open playback).</summary>
    public static PlaybackGrant Open() => new();

    /// <summary>Fires when the grant is withdrawn; the egress then ends the play.</summary>
    public CancellationToken Revoked => _revoked.Token;

    /// <summary>Bytes sent so far.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    public void AddBytes(long bytes) => Interlocked.Add(ref _bytes, bytes);

    /// <summary>Withdraws the grant.</summary>
    public void Revoke(string reason)
    {
        RevokedReason ??= reason;
        try
        {
            _revoked.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Ended already.
        }
    }

    /// <summary>Why the grant was withdrawn, if it was.</summary>
    public string? RevokedReason { get; private set; }

    /// <summary>Ends the play (once).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return;
        }

        OnEnded();
        _revoked.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Called once when the play ends: trackers record the end here.</summary>
    protected virtual void OnEnded()
    {
    }
}

/// <summary>Lets every play through (the default until tokens are configured).</summary>
public sealed class OpenPlaybackAuthorizer : IPlaybackAuthorizer
{
    public PlaybackDecision Authorize(PlaybackRequest request) => PlaybackDecision.Allow(PlaybackGrant.Open());
}
