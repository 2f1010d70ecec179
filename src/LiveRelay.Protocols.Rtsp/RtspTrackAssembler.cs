using System.Buffers;
using LiveRelay.Core.Media;
using LiveRelay.Formats.Rtp;
using LiveRelay.Formats.Sdp;

namespace LiveRelay.Protocols.Rtsp;

/// <summary>
/// Turns one RTSP track's RTP packets into media frames: H.264 (RFC 6184) and H.265 (RFC 7798) with
/// parameter sets from the SDP (<c>sprop-…</c>) or from the stream, an access unit per RTP timestamp;
/// AAC as MPEG4-GENERIC (RFC 3640, AU headers of 13+3 bits) or MP4A-LATM (RFC 6416). Timestamps are
/// unwrapped (32-bit wrap) and in 90 kHz; every track of a session is on one timeline: from the PLAY
/// response's RTP-Info when the server sent it, else from the first packets, corrected once by RTCP
/// sender reports (see <see cref="RtspSessionClock"/>). G.711 (PCMA/PCMU) is carried as is: RTMP and
/// FLV players take it; HLS and SRT (MPEG-TS) leave it out.
/// </summary>
public sealed partial class RtspTrackAssembler
{
    private readonly MediaDescription _media;
    private readonly Action<TrackInfo, MediaFrame> _onFrame;
    private readonly RtspSessionClock _clock;
    private readonly ArrayBufferWriter<byte> _units = new(64 * 1024);
    private readonly ArrayBufferWriter<byte> _frame = new(64 * 1024);
    private TrackInfo? _track;
    private long _extended = -1;
    private long _first = -1;
    private uint? _startTimestamp;
    private long _lastTime = long.MinValue;

    public RtspTrackAssembler(MediaDescription media, Action<TrackInfo, MediaFrame> onFrame, RtspSessionClock? clock = null)
    {
        ArgumentNullException.ThrowIfNull(media);
        _media = media;
        _onFrame = onFrame;
        _clock = clock ?? new RtspSessionClock();
        _clock.Add(this);
        switch (Encoding(media))
        {
            case "H264":
                _h264 = new H264RtpDepacketizer();
                ReadSprop(media, "sprop-parameter-sets");
                break;
            case "H265":
                _h265 = new H265RtpDepacketizer(H265RtpDepacketizer.UsesDecodingOrderNumbers(media.Format));
                ReadSprop(media, "sprop-vps");
                ReadSprop(media, "sprop-sps");
                ReadSprop(media, "sprop-pps");
                break;
            case "MPEG4-GENERIC":
                _track = AacTrack(media);
                break;
            case "OPUS":
                // RFC 7587: the clock is always 48 kHz and the rtpmap says 2 channels whatever the stream has.
                _track = new TrackInfo { Kind = MediaKind.Audio, Codec = CodecId.Opus, SampleRate = 48000, Channels = 2, CodecString = "opus" };
                break;
            case "PCMA" or "PCMU":
                _track = new TrackInfo
                {
                    Kind = MediaKind.Audio,
                    Codec = Encoding(media) == "PCMA" ? CodecId.G711A : CodecId.G711U,
                    SampleRate = ClockRate,
                    Channels = Math.Max(1, media.Channels),
                    CodecString = Encoding(media) == "PCMA" ? "alaw" : "ulaw",
                };
                break;
            case "MP4A-LATM":
                if (LatmConfig(media, out var latm, out _) && latm is not null)
                {
                    _latm = new Mp4aLatmDepacketizer(latm);
                    _track = AacTrack(latm.Audio);
                }

                break;
        }
    }

    /// <summary>The track as known now: from the SDP (parameter sets, audio config) before any packet, or null until the stream brings it.</summary>
    public TrackInfo? Track => _track;

    /// <summary>The track's media kind as the SDP says it.</summary>
    public bool IsVideo => _media.Media == "video";

    /// <summary>The RTP clock rate of the track.</summary>
    public int ClockRate => _media.ClockRate > 0 ? _media.ClockRate : 90000;

    /// <summary>A shift of this track's times (90 kHz) that puts it on the session's timeline (set by the session clock).</summary>
    internal long Shift { get; set; }

    /// <summary>The RTP timestamp that is time 0 of this track, once the first packet (or RTP-Info) fixed it.</summary>
    internal uint? Origin { get; private set; }

    /// <summary>Why a track cannot be carried (null when it can), in words for the log.</summary>
    public static string? WhyNotCarried(MediaDescription media)
    {
        ArgumentNullException.ThrowIfNull(media);
        return Encoding(media) switch
        {
            "H264" or "H265" or "OPUS" => null,
            "MPEG4-GENERIC" => !media.Format.ContainsKey("config") ? "MPEG4-GENERIC without a config"
                : AacTrack(media) is null ? "its AAC config does not parse"
                : Parameter(media, "sizelength", 13) + Parameter(media, "indexlength", 3) != 16 ? "only AU headers of 13+3 bits (AAC-hbr) are read"
                : null,
            "MP4A-LATM" => LatmConfig(media, out _, out var error) ? null : error,
            "PCMA" or "PCMU" => media.ClockRate is 0 or 8000 ? null : "G.711 at a rate other than 8 kHz",
            var other => $"{other} is not carried (H.264, H.265 and AAC are)",
        };
    }

    /// <summary>
    /// The RTP timestamp at which the played range starts (the PLAY response's RTP-Info): every track
    /// whose start is known this way begins at 0 at that instant, so they are in sync from the first packet.
    /// </summary>
    public void SetStart(uint? rtpTime) => _startTimestamp = rtpTime;

    /// <summary>An RTCP sender report for this track: the wall-clock (NTP) time of an RTP timestamp.</summary>
    public void OnSenderReport(ulong ntpTimestamp, uint rtpTimestamp) => _clock.OnSenderReport(this, ntpTimestamp, rtpTimestamp);

    /// <summary>Takes one RTP packet of this track (in sequence order; a gap is a loss).</summary>
    public void Push(ReadOnlySpan<byte> packet)
    {
        if (!RtpPacket.TryRead(packet, out var header, out var payload, out _) || header.PayloadType != _media.PayloadType)
        {
            return;
        }

        if (_h264 is not null || _h265 is not null)
        {
            PushVideo(header, payload);
        }
        else if (_latm is not null)
        {
            PushLatm(header, payload);
        }
        else if (_track?.Codec is CodecId.G711A or CodecId.G711U or CodecId.Opus)
        {
            // G.711: the payload is the samples, one byte each; Opus: the payload is one packet.
            if (!payload.IsEmpty)
            {
                var time = Time(header.Timestamp);
                _onFrame(_track, MediaFrame.Copy(_track, payload, time, time, isKeyframe: false));
            }
        }
        else
        {
            PushAac(payload, header.Timestamp);
        }
    }

    private static string Encoding(MediaDescription media) => media.Encoding.ToUpperInvariant();

    /// <summary>90 kHz time of an RTP timestamp on the session's timeline, unwrapped; never before the previous frame's.</summary>
    private long Time(uint timestamp)
    {
        _extended = _extended < 0 ? timestamp : _extended + (int)(timestamp - (uint)_extended);
        if (_first < 0)
        {
            // Time 0 is the RTP-Info start when it is plausible (at most 10 s before the first packet), else the first packet.
            var sinceStart = _startTimestamp is { } start ? (long)(int)(timestamp - start) : -1;
            var useStart = sinceStart >= 0 && sinceStart <= 10L * ClockRate;
            _first = useStart ? _extended - sinceStart : _extended;
            Origin = useStart ? _startTimestamp : timestamp;
            _clock.OnOrigin(this, useStart);
        }

        var time = ((_extended - _first) * MediaClock.Hz / ClockRate) + Shift;
        time = Math.Max(time, _lastTime == long.MinValue ? 0 : _lastTime);
        _lastTime = time;
        return time;
    }
}
