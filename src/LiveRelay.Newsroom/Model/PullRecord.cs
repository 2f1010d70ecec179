namespace LiveRelay.Newsroom.Model;

/// <summary>
/// One attempt by a partner to pull a stream with a token: who, what, how, from where, for how long
/// and how many bytes; refused attempts are recorded with the reason.
/// </summary>
public sealed record PullRecord
{
    public required string Id { get; init; }

    /// <summary>The station the token was issued to ("" when the token could not be read).</summary>
    public required string StationId { get; init; }

    public string? ShareId { get; init; }

    public required string StreamPath { get; init; }

    /// <summary><c>hls</c>, <c>rtmp</c>, <c>flv</c>, <c>srt</c> or <c>whep</c>.</summary>
    public required string Protocol { get; init; }

    public string? RemoteAddress { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public long Bytes { get; init; }

    /// <summary>Null when the pull was allowed; otherwise why it was refused or ended (expired, revoked, forged).</summary>
    public string? Refusal { get; init; }
}
