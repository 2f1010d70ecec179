namespace LiveRelay.Core.Access;

/// <summary>
/// Decides whether a publisher may publish a path (the seam between ingest adapters and the newsroom's
/// per-feed publish keys and the operator's callbacks). Ingest adapters ask once per publish, before
/// they touch the hub; server-made sources (pulls, program outputs) do not ask.
/// </summary>
public interface IPublishAuthorizer
{
    /// <summary>
    /// The quick, in-memory part of the check (keys, constant time), for callers that cannot wait
    /// (SRT's admission hook runs on libsrt's thread). A pass here is not a grant: call
    /// <see cref="AuthorizeAsync"/> before publishing.
    /// </summary>
    PublishDecision Check(PublishRequest request);

    /// <summary>The whole check: <see cref="Check"/>, then the operator's publish callback when one is configured.</summary>
    ValueTask<PublishDecision> AuthorizeAsync(PublishRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// The path of the feed whose publish key is <paramref name="streamKey"/>, for encoders that send the
    /// bare key as the stream name; null when it is no feed's key.
    /// </summary>
    string? PathOfStreamKey(string streamKey) => null;
}

/// <summary>A publish about to start.</summary>
/// <param name="Path">The stream path.</param>
/// <param name="Protocol"><c>rtmp</c>, <c>srt</c> or <c>webrtc</c>.</param>
/// <param name="RemoteAddress">The publisher's address and port.</param>
/// <param name="Key">The publish key the publisher presented, or null.</param>
public sealed record PublishRequest(string Path, string Protocol, string? RemoteAddress, string? Key);

/// <summary>The answer: allowed (with what the feed asks for), or why not.</summary>
/// <param name="Refusal">Why the publish is refused, or null when it is allowed.</param>
/// <param name="Unauthorized">The refusal is about credentials (a missing or wrong key), not about the path.</param>
/// <param name="Takeover">A new publisher with the right key replaces a live one instead of being refused.</param>
/// <param name="SrtPassphrase">The feed's own SRT passphrase, or null for the listener's.</param>
public readonly record struct PublishDecision(string? Refusal, bool Unauthorized = false, bool Takeover = false, string? SrtPassphrase = null)
{
    public bool Allowed => Refusal is null;

    public static PublishDecision Allow(bool takeover = false, string? srtPassphrase = null) => new(null, false, takeover, srtPassphrase);

    public static PublishDecision Refuse(string reason, bool unauthorized = false) => new(reason, unauthorized);
}

/// <summary>Lets every publish through (tests and embedders that have no keys).</summary>
public sealed class OpenPublishAuthorizer : IPublishAuthorizer
{
    public PublishDecision Check(PublishRequest request) => PublishDecision.Allow();

    public ValueTask<PublishDecision> AuthorizeAsync(PublishRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(PublishDecision.Allow());
}
