using LiveRelay.Protocols.Http.Hls;
using LiveRelay.Protocols.Rtmp;
using LiveRelay.Protocols.Srt;
using LiveRelay.Server.Metrics;

namespace LiveRelay.Server.Configuration;

/// <summary>Everything under <c>LiveRelay</c> in configuration. Unknown keys are ignored.</summary>
public sealed record LiveRelayOptions
{
    public const string SectionName = "LiveRelay";

    /// <summary>Where the server keeps state (database, generated files). Relative paths resolve against the working directory.</summary>
    public string DataDir { get; init; } = "data";

    /// <summary>RTMP ingest and playback.</summary>
    public RtmpOptions Rtmp { get; init; } = new();

    /// <summary>RTMP over TLS on its own port.</summary>
    public RtmpsOptions Rtmps { get; init; } = new();

    /// <summary>The certificate for HTTPS and RTMPS.</summary>
    public TlsOptions Tls { get; init; } = new();

    /// <summary>HLS segmenting.</summary>
    public HlsOptions Hls { get; init; } = new();

    /// <summary>Publishing behaviour.</summary>
    public PublishOptions Publish { get; init; } = new();

    /// <summary>Connection, publisher, player, bitrate and HTTP size limits.</summary>
    public LimitsOptions Limits { get; init; } = new();

    /// <summary>Reader queue bounds.</summary>
    public ReaderQueueOptions Readers { get; init; } = new();

    /// <summary>Metrics exposition.</summary>
    public MetricsOptions Metrics { get; init; } = new();

    /// <summary>SRT ingest.</summary>
    public SrtOptions Srt { get; init; } = new();

    /// <summary>WebRTC: WHIP ingest and WHEP playback on one UDP port.</summary>
    public WebRtc.WebRtcOptions WebRtc { get; init; } = new();

    /// <summary>The newsroom database (SQLite by default, PostgreSQL when named).</summary>
    public DatabaseOptions Database { get; init; } = new();

    /// <summary>Admin API token and play tokens.</summary>
    public AuthOptions Auth { get; init; } = new();

    /// <summary>Program outputs (take timeout, fallback detection, slate image).</summary>
    public LiveRelay.Newsroom.Switching.ProgramOptions Program { get; init; } = new();

    /// <summary>Public base URLs for pull links.</summary>
    public PublicUrlOptions PublicUrls { get; init; } = new();

    /// <summary>URLs pulled into live paths from the start (more through <c>POST /api/pulls</c>).</summary>
    public IReadOnlyList<Pulling.PullRequest> Pulls { get; init; } = [];

    /// <summary>Relay-out targets from the start (more through <c>POST /api/relays</c>).</summary>
    public IReadOnlyList<Relaying.RelayRequest> Relays { get; init; } = [];

    /// <summary>Every problem with the configuration, in words an operator can act on.</summary>
    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDir))
        {
            yield return "LiveRelay:DataDir must not be empty";
        }

        for (var i = 0; i < Pulls.Count; i++)
        {
            if (Pulling.PullManager.Check(Pulls[i], out _, out _) is { } pullError)
            {
                yield return $"LiveRelay:Pulls:{i}: {pullError}";
            }
        }

        for (var i = 0; i < Relays.Count; i++)
        {
            if (Relaying.RelayManager.Check(Relays[i].Source, Relays[i].Url, out _) is { } relayError)
            {
                yield return $"LiveRelay:Relays:{i}: {relayError}";
            }
        }

        foreach (var error in Rtmp.Validate().Concat(Hls.Validate()).Concat(Publish.Validate()).Concat(Readers.Validate()).Concat(Metrics.Validate()).Concat(Srt.Validate()).Concat(WebRtc.Validate()).Concat(Auth.Validate()).Concat(Tls.Validate()).Concat(Limits.Validate()).Concat(Rtmps.Validate(Tls)).Concat(ValidateProgram()))
        {
            yield return error;
        }
    }

    private IEnumerable<string> ValidateProgram()
    {
        if (Program.FallbackAfterMilliseconds is < 100 or > 60_000)
        {
            yield return "LiveRelay:Program:FallbackAfterMilliseconds must be between 100 and 60000";
        }

        if (Program.TakeTimeoutSeconds is < 1 or > 300)
        {
            yield return "LiveRelay:Program:TakeTimeoutSeconds must be between 1 and 300";
        }

        if (Program.SlateImage.Length > 0 && !File.Exists(Program.SlateImage))
        {
            yield return $"LiveRelay:Program:SlateImage: {Program.SlateImage} does not exist";
        }
    }
}

/// <summary><c>LiveRelay:Publish</c>.</summary>
public sealed record PublishOptions
{
    /// <summary>Seconds a stream waits for its publisher to reconnect before it ends; 0 ends it at once.</summary>
    public double ReconnectGraceSeconds { get; init; } = 10;

    /// <summary>
    /// On a graceful stop (SIGTERM), how long HTTP keeps serving after every stream ended, so HLS players
    /// read the final playlist (EXT-X-ENDLIST); 0 stops at once.
    /// </summary>
    public double ShutdownDrainSeconds { get; init; } = 3;

    public IEnumerable<string> Validate()
    {
        if (ShutdownDrainSeconds is < 0 or > 60)
        {
            yield return $"LiveRelay:Publish:ShutdownDrainSeconds must be 0..60 (got {ShutdownDrainSeconds})";
        }

        if (ReconnectGraceSeconds is < 0 or > 3600)
        {
            yield return $"LiveRelay:Publish:ReconnectGraceSeconds must be 0..3600 (got {ReconnectGraceSeconds})";
        }
    }
}

/// <summary><c>LiveRelay:Readers</c>: how far a player may fall behind before it is skipped forward, then cut off.</summary>
public sealed record ReaderQueueOptions
{
    /// <summary>Most media time queued for one player.</summary>
    public double MaxQueuedSeconds { get; init; } = 6;

    /// <summary>Skips to the next keyframe within 30 s before a player is cut off.</summary>
    public int MaxSkips { get; init; } = 3;

    /// <summary>
    /// Merged writes: a player is written to once this much media is queued for it, in one batch and
    /// one flush, instead of once per frame. Adds at most this much latency; 0 writes every frame at once.
    /// </summary>
    public int MergeWriteMilliseconds { get; init; } = 100;

    public IEnumerable<string> Validate()
    {
        if (MaxQueuedSeconds is < 0.5 or > 120)
        {
            yield return $"LiveRelay:Readers:MaxQueuedSeconds must be 0.5..120 (got {MaxQueuedSeconds})";
        }

        if (MaxSkips is < 1 or > 1000)
        {
            yield return $"LiveRelay:Readers:MaxSkips must be 1..1000 (got {MaxSkips})";
        }

        if (MergeWriteMilliseconds is < 0 or > 2000)
        {
            yield return $"LiveRelay:Readers:MergeWriteMilliseconds must be 0..2000 (got {MergeWriteMilliseconds})";
        }
    }
}
