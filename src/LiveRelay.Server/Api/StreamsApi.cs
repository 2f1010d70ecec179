using LiveRelay.Core.Media;
using LiveRelay.Core.Streams;

namespace LiveRelay.Server.Api;

/// <summary><c>GET /api/streams</c>: what is live, from where, in what shape, read by whom.</summary>
public static class StreamsApi
{
    public static IEndpointRouteBuilder MapStreamsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/streams", (StreamHub hub, TimeProvider time) =>
            hub.Streams.OrderBy(s => s.Path, StringComparer.Ordinal).Select(s => Describe(s, time)).ToList())
            .WithName("ListStreams")
            .WithSummary("Live streams with codecs, rates, publisher and readers.");

        endpoints.MapGet("/api/streams/{**path}", (string path, StreamHub hub, TimeProvider time) =>
            hub.Find(path) is { } stream ? Results.Ok(Describe(stream, time)) : Results.NotFound(new { error = $"No stream is live at {path}." }))
            .WithName("GetStream")
            .WithSummary("One live stream.");
        return endpoints;
    }

    internal static StreamDto Describe(LiveStream stream, TimeProvider time)
    {
        var (fps, videoBps) = stream.VideoRate.Rate();
        var (_, audioBps) = stream.AudioRate.Rate();
        var readers = stream.Readers;
        var byProtocol = new SortedDictionary<string, int>(StringComparer.Ordinal);
        long dropped = 0;
        foreach (var reader in readers)
        {
            dropped += reader.DroppedFrames;
        }

        foreach (var (protocol, _) in stream.Audience)
        {
            byProtocol[protocol] = byProtocol.GetValueOrDefault(protocol) + 1;
        }

        var video = stream.VideoTrack is { } v
            ? new VideoDto(Name(v.Codec), v.CodecString, v.Width, v.Height, Math.Round(fps, 2), Kbps(videoBps), Math.Round(MediaClock.ToSeconds(stream.KeyframeInterval), 3))
            : null;
        var audio = stream.AudioTrack is { } a
            ? new AudioDto(Name(a.Codec), a.CodecString, a.SampleRate, a.Channels, Kbps(audioBps))
            : null;
        var publisher = stream.Publisher is { } p && stream.State == StreamState.Live
            ? new PublisherDto(p.Protocol, p.RemoteAddress, stream.PublishedAt, p.Transport?.Snapshot())
            : null;
        return new StreamDto(
            stream.Path,
            stream.State.ToString().ToLowerInvariant(),
            publisher,
            Math.Round((time.GetUtcNow() - stream.CreatedAt).TotalSeconds, 1),
            video,
            audio,
            Kbps(videoBps + audioBps),
            byProtocol,
            byProtocol.Values.Sum(),
            stream.FramesIn,
            stream.BytesIn,
            dropped,
            stream.Generation,
            [.. stream.Viewers.Select(v => new PlayerDto(v.Protocol, v.RemoteAddress, v.Transport?.Snapshot()))]);
    }

    private static double Kbps(double bitsPerSecond) => Math.Round(bitsPerSecond / 1000, 1);

    private static string Name(CodecId codec) => codec switch
    {
        CodecId.H264 => "H264",
        CodecId.H265 => "H265",
        CodecId.Aac => "AAC",
        CodecId.Opus => "Opus",
        CodecId.G711A => "G711A",
        CodecId.G711U => "G711U",
        _ => "unknown",
    };
}

public sealed record StreamDto(
    string Path,
    string State,
    PublisherDto? Publisher,
    double UptimeSeconds,
    VideoDto? Video,
    AudioDto? Audio,
    double BitrateKbps,
    IReadOnlyDictionary<string, int> Readers,
    int ReaderCount,
    long FramesIn,
    long BytesIn,
    long DroppedFrames,
    int PublisherSessions,
    IReadOnlyList<PlayerDto> Players);

/// <summary>A player served from a shared serialization (SRT), with its link figures.</summary>
/// <param name="Protocol">Egress protocol.</param>
/// <param name="RemoteAddress">The player's address and port.</param>
/// <param name="Transport">For SRT: rttMs, bandwidthMbps, receiveRateMbps, sendRateMbps, packetsSent, packetsLost, packetsRetransmitted, packetsDropped, latencyMs.</param>
public sealed record PlayerDto(string Protocol, string RemoteAddress, IReadOnlyDictionary<string, double>? Transport);

/// <summary>Who publishes a stream.</summary>
/// <param name="Protocol">Ingest protocol.</param>
/// <param name="RemoteAddress">The publisher's address and port.</param>
/// <param name="Since">When this publisher started.</param>
/// <param name="Transport">Connection figures where the protocol has them: for SRT rttMs, bandwidthMbps, receiveRateMbps, sendRateMbps, packetsReceived, packetsLost, packetsRetransmitted, packetsDropped, latencyMs.</param>
public sealed record PublisherDto(string Protocol, string? RemoteAddress, DateTimeOffset Since, IReadOnlyDictionary<string, double>? Transport);

public sealed record VideoDto(string Codec, string CodecString, int Width, int Height, double FrameRate, double BitrateKbps, double KeyframeIntervalSeconds);

public sealed record AudioDto(string Codec, string CodecString, int SampleRate, int Channels, double BitrateKbps);
