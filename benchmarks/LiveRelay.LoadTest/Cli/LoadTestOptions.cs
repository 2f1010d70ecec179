using System.Globalization;

namespace LiveRelay.LoadTest.Cli;

/// <summary>What one run of the load tool does; parsed from the command line.</summary>
internal sealed record LoadTestOptions
{
    /// <summary>The shortest measurement window that counts as a measurement (the issue asks for 30 s or more).</summary>
    public const int MinimumWindowSeconds = 30;

    /// <summary>
    /// Readers per scenario (one scenario per protocol and server), spread over the streams. 0 runs one
    /// publishers-only scenario per server (what ingest alone costs) and ignores <see cref="Protocols"/>.
    /// </summary>
    public int Readers { get; init; } = 100;

    /// <summary>Protocols to load, in order.</summary>
    public IReadOnlyList<PlayerProtocol> Protocols { get; init; } = [PlayerProtocol.Rtmp];

    /// <summary>Length of the measurement window in seconds.</summary>
    public int Seconds { get; init; } = MinimumWindowSeconds;

    /// <summary>Published streams (live/load0, live/load1, ...).</summary>
    public int Streams { get; init; } = 1;

    /// <summary>LiveRelay.Server.dll to start; null means the Release build under the repository root.</summary>
    public string? ServerPath { get; init; }

    /// <summary>Also run the RTMP and HLS scenarios against nginx with the RTMP module.</summary>
    public bool VersusNginx { get; init; }

    /// <summary>Write every result as JSON here.</summary>
    public string? JsonPath { get; init; }

    /// <summary>Allow windows shorter than <see cref="MinimumWindowSeconds"/> (smoke tests; not a measurement).</summary>
    public bool Quick { get; init; }

    /// <summary>Seconds the server runs with its publishers before the baseline (RSS, CPU) is taken.</summary>
    public int WarmupSeconds { get; init; } = 20;

    /// <summary>Seconds between the last reader joining and the start of the window.</summary>
    public int SettleSeconds { get; init; } = 3;

    /// <summary>Video bitrate of the generated clip, in kbit/s.</summary>
    public int VideoKbps { get; init; } = 2500;

    /// <summary>Minutes of a soak (readers joining and leaving; RSS, descriptors and threads sampled each minute); 0: the normal scenarios.</summary>
    public int SoakMinutes { get; init; }

    /// <summary>How the publishers send the clip: RTMP (FLV) or SRT (MPEG-TS).</summary>
    public IngestProtocol Ingest { get; init; } = IngestProtocol.Rtmp;

    public const string Usage = """
        LiveRelay load tool: publishes generated streams, attaches N readers and measures the server.

        Usage:
          dotnet run -c Release --project benchmarks/LiveRelay.LoadTest -- [options]

        Options:
          --readers N          readers per scenario, spread over the streams (default 100); 0 runs one
                               publishers-only scenario per server (--protocol is then ignored)
          --protocol P         rtmp | flv | hls | srt | whep | all, or a comma list such as rtmp,hls (default rtmp)
          --ingest I           rtmp | srt: how the clip is published (default rtmp); srt sends MPEG-TS with
                               ffmpeg to the server's SRT port (streamid publish:live/loadN, latency 120 ms)
          --seconds S          measurement window in seconds (default 30; at least 30 unless --quick)
          --streams K          published streams live/load0..load{K-1} (default 1)
          --server PATH        LiveRelay.Server.dll to start (default: src/LiveRelay.Server/bin/Release/
                               net10.0/LiveRelay.Server.dll under the repository root)
          --vs nginx-rtmp      also run the RTMP and HLS scenarios against nginx + libnginx-mod-rtmp
                               and print LiveRelay/nginx ratios
          --json FILE          also write all results as JSON
          --warmup S           seconds the server runs with only its publishers before the baseline
                               RSS and CPU are taken (default 20: LiveRelay's HLS window of 10 × 2 s
                               segments fills, so it is not counted as reader memory)
          --settle S           seconds between the last join and the window (default 3)
          --video-kbps K       video bitrate of the generated clip (default 2500)
          --quick              allow windows under 30 s (smoke tests only; not a measurement)
          --soak M             soak for M minutes instead: --streams streams (use 4), --readers readers (use
                               40) over RTMP, HTTP-FLV, HLS and SRT that keep joining and leaving (each
                               lives ~20 s); the server's RSS, descriptors, threads and GC heap each minute
          -h, --help           this text

        Each scenario starts a fresh server on free loopback ports, publishes the cached clip with
        ffmpeg -re -c copy, waits --warmup seconds (baseline RSS and CPU at its end), joins the readers
        over one GOP (2 s), waits --settle seconds, then measures for --seconds. SRT readers
        (streamid read:live/loadN, latency 120 ms) all run on one libsrt epoll thread. nginx-rtmp has
        no SRT: its SRT scenarios, and every scenario with --ingest srt, are reported as not available.
        WHEP readers (WebRTC playback: POST /whep/live/loadN, ICE, DTLS, SRTP on one UDP socket each) use
        the repository's own WebRTC stack; nginx-rtmp has no WebRTC, so its WHEP scenarios are not available.
        """;

    /// <summary>Parses the arguments; returns null and an error (or null error for --help) when it cannot.</summary>
    public static LoadTestOptions? Parse(IReadOnlyList<string> args, out string? error)
    {
        var options = new LoadTestOptions();
        error = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value()
            {
                if (i + 1 >= args.Count)
                {
                    throw new FormatException($"{arg} needs a value");
                }

                return args[++i];
            }

            try
            {
                options = arg switch
                {
                    "-h" or "--help" => null,
                    "--readers" => options with { Readers = NonNegativeInt(arg, Value()) },
                    "--protocol" => options with { Protocols = ParseProtocols(Value()) },
                    "--seconds" => options with { Seconds = PositiveInt(arg, Value()) },
                    "--streams" => options with { Streams = PositiveInt(arg, Value()) },
                    "--server" => options with { ServerPath = Value() },
                    "--vs" => options with { VersusNginx = ParseVersus(Value()) },
                    "--json" => options with { JsonPath = Value() },
                    "--warmup" => options with { WarmupSeconds = NonNegativeInt(arg, Value()) },
                    "--settle" => options with { SettleSeconds = NonNegativeInt(arg, Value()) },
                    "--video-kbps" => options with { VideoKbps = PositiveInt(arg, Value()) },
                    "--ingest" => options with { Ingest = ParseIngest(Value()) },
                    "--quick" => options with { Quick = true },
                    "--soak" => options with { SoakMinutes = PositiveInt(arg, Value()) },
                    _ => throw new FormatException($"unknown option '{arg}'"),
                };
            }
            catch (FormatException ex)
            {
                error = ex.Message;
                return null;
            }

            if (options is null)
            {
                return null;
            }
        }

        if (options.Seconds < MinimumWindowSeconds && !options.Quick)
        {
            error = $"--seconds {options.Seconds} is under the {MinimumWindowSeconds} s minimum window; add --quick for a smoke test";
            return null;
        }

        if (options.Readers > 0 && options.Streams > options.Readers)
        {
            error = $"--streams {options.Streams} is more than --readers {options.Readers}";
            return null;
        }

        return options;
    }

    private static IReadOnlyList<PlayerProtocol> ParseProtocols(string text)
    {
        if (string.Equals(text, "all", StringComparison.OrdinalIgnoreCase))
        {
            return PlayerProtocolNames.All;
        }

        var list = new List<PlayerProtocol>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!PlayerProtocolNames.TryParse(part, out var protocol))
            {
                throw new FormatException($"--protocol: '{part}' is not one of rtmp, flv, hls, srt, whep, all");
            }

            if (!list.Contains(protocol))
            {
                list.Add(protocol);
            }
        }

        return list.Count > 0 ? list : throw new FormatException("--protocol needs at least one protocol");
    }

    private static IngestProtocol ParseIngest(string text) => IngestProtocolNames.TryParse(text, out var ingest)
        ? ingest
        : throw new FormatException($"--ingest: '{text}' is not one of rtmp, srt");

    private static bool ParseVersus(string text) => string.Equals(text, "nginx-rtmp", StringComparison.OrdinalIgnoreCase)
        ? true
        : throw new FormatException($"--vs: only 'nginx-rtmp' is supported, not '{text}'");

    private static int PositiveInt(string name, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new FormatException($"{name}: '{text}' is not a positive whole number");

    private static int NonNegativeInt(string name, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"{name}: '{text}' is not a whole number");
}
