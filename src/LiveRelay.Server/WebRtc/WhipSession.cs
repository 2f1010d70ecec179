using System.Buffers.Binary;
using LiveRelay.Core.Media;
using LiveRelay.Core.Streams;
using LiveRelay.Formats.Rtp;
using LiveRelay.Formats.Sdp;
using LiveRelay.Protocols.Rtsp;
using LiveRelay.Protocols.WebRtc.Sdp;
using LiveRelay.Protocols.WebRtc.Transport;

namespace LiveRelay.Server.WebRtc;

/// <summary>
/// One WHIP publisher (RFC 9725): its peer connection's RTP becomes media frames at the path. Video
/// (H.264, packetization-mode 1) goes through a reorder buffer and the RTP track assembler; Opus is
/// transcoded to AAC (<see cref="OpusToAacTranscoder"/>), the one audio track every player here takes.
/// RTCP sender reports put audio and video on one timeline; PLI asks for a keyframe until the first
/// arrives and after losses (at most once a second).
/// </summary>
internal sealed partial class WhipSession : IAsyncDisposable
{
    private static readonly TimeSpan s_pliInterval = TimeSpan.FromSeconds(1);

    /// <summary>Gaps longer than this are not NACKed (a burst that long is better fixed by a keyframe).</summary>
    private const int MaxNack = 64;

    /// <summary>
    /// Browsers' encoders make a keyframe only when asked: one is asked for this often, so HLS
    /// segments close, new players start soon, and the program switcher can cut.
    /// </summary>
    private static readonly TimeSpan s_keyframeInterval = TimeSpan.FromSeconds(2);

    /// <summary>The bitrate REMB tells the publisher it may use.</summary>
    private const long ReceiveBitrate = 8_000_000;
    private static readonly TimeSpan s_reorderHold = TimeSpan.FromMilliseconds(150);

    private readonly WebRtcPeerConnection _peer;
    private readonly StreamPublisher _publisher;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly NegotiatedMedia? _video;
    private readonly NegotiatedMedia? _audio;
    private readonly RtspTrackAssembler? _videoAssembler;
    private readonly RtspTrackAssembler? _audioAssembler;
    private readonly RtpReorderBuffer _videoReorder;
    private readonly OpusToAacTranscoder? _transcoder;
    private readonly Lock _lock = new();
    private readonly Timer _feedback;
    private TrackInfo? _videoTrack;
    private TrackInfo? _audioTrack;
    private uint _videoSsrc;
    private uint _audioSsrc;
    private long _lastPli;
    private long _lastKeyframe;
    private long _lastRemb;
    private uint _videoCycles;
    private ushort? _audioHighest;
    private uint _audioCycles;
    private (uint Ssrc, ulong Ntp, long At) _videoReport;
    private (uint Ssrc, ulong Ntp, long At) _audioReport;
    private long _lostAtLastReport;
    private uint _expectedAtLastReport;
    private long _keyframeRequests;
    private ushort? _highestSequence;
    private long _nacked;
    private long _retransmitted;
    private readonly byte[] _rtxScratch = new byte[2048];
    private bool _keyframeSeen;
    private readonly byte[] _opusPacket = new byte[2048];
    private int _opusLength;
    private byte _opusPayloadType;

    public WhipSession(string id, string path, WebRtcPeerConnection peer, WebRtcAnswer answer, StreamPublisher publisher, TimeProvider time, ILogger logger)
    {
        Id = id;
        Path = path;
        _peer = peer;
        _publisher = publisher;
        _time = time;
        _logger = logger;
        _video = answer.Video;
        _audio = answer.Audio;
        _videoReorder = new RtpReorderBuffer((long)(time.TimestampFrequency * s_reorderHold.TotalSeconds), capacity: 512);
        var clock = new RtspSessionClock();
        if (_video is not null)
        {
            _videoAssembler = new RtspTrackAssembler(
                new MediaDescription("video", _video.PayloadType, "H264", 90000, 0, _video.Format, null), OnFrame, clock);
        }

        if (_audio is not null)
        {
            _opusPayloadType = (byte)_audio.PayloadType;
            _audioAssembler = new RtspTrackAssembler(
                new MediaDescription("audio", _audio.PayloadType, "OPUS", 48000, 2, _audio.Format, null), OnOpus, clock);
            _transcoder = new OpusToAacTranscoder(path, OnFrame, logger);
        }

        publisher.Stream.KeyframeRequested += OnKeyframeRequested;
        peer.RtpReceived = OnRtp;
        peer.RtcpReceived = OnRtcp;
        _feedback = new Timer(static state => ((WhipSession)state!).SendFeedback(), this, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(500));
    }

    public string Id { get; }

    /// <summary>The session's handle on its stream.</summary>
    public StreamPublisher Publisher => _publisher;

    public string Path { get; }

    public WebRtcPeerConnection Peer => _peer;

    /// <summary>Video packets asked for again, and retransmissions that came.</summary>
    public (long Nacked, long Retransmitted, long Lost) Recovery
    {
        get
        {
            lock (_lock)
            {
                return (_nacked, _retransmitted, _videoReorder.Lost);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _publisher.Stream.KeyframeRequested -= OnKeyframeRequested;
        await _feedback.DisposeAsync().ConfigureAwait(false);
        _peer.RtpReceived = null;
        _peer.RtcpReceived = null;
        await _peer.DisposeAsync().ConfigureAwait(false);
        lock (_lock)
        {
            _transcoder?.Dispose();
            _videoReorder.Dispose();
            _publisher.Dispose();
        }
    }

    //  RTP header: V=2 P X CC | M PT | sequence | timestamp | SSRC (RFC 3550 §5.1)
    private void OnRtp(ReadOnlySpan<byte> packet)
    {
        if (!RtpPacket.TryRead(packet, out var header, out var payload, out _))
        {
            return;
        }

        lock (_lock)
        {
            if (_video?.RtxPayloadType is { } rtx && header.PayloadType == rtx && payload.Length > 2 && _videoSsrc != 0)
            {
                // RFC 4588: a retransmission carries the original sequence number first; rebuild the original packet.
                var original = _rtxScratch.AsSpan(0, RtpPacket.FixedHeaderLength + payload.Length - 2);
                RtpPacket.Write(original, new RtpHeader(header.Marker, (byte)_video.PayloadType, BinaryPrimitives.ReadUInt16BigEndian(payload), header.Timestamp, _videoSsrc));
                payload[2..].CopyTo(original[RtpPacket.FixedHeaderLength..]);
                _retransmitted++;
                PushVideo(original, BinaryPrimitives.ReadUInt16BigEndian(payload), isRetransmission: true);
            }
            else if (_video is not null && header.PayloadType == _video.PayloadType)
            {
                _videoSsrc = header.Ssrc;
                PushVideo(packet, header.SequenceNumber, isRetransmission: false);
            }
            else if (_audio is not null && header.PayloadType == _audio.PayloadType)
            {
                _audioSsrc = header.Ssrc;
                if (_audioHighest is not { } audioHighest || (short)(header.SequenceNumber - audioHighest) > 0)
                {
                    _audioCycles += _audioHighest is { } previous && header.SequenceNumber < previous ? 1u : 0u;
                    _audioHighest = header.SequenceNumber;
                }

                if (packet.Length > _opusPacket.Length)
                {
                    return;
                }

                packet.CopyTo(_opusPacket);
                _opusLength = packet.Length;
                _audioAssembler!.Push(packet);
            }
        }
    }

    /// <summary>Video into the reorder buffer (NACKing what a jump in sequence numbers says is missing), then in order to the assembler.</summary>
    private void PushVideo(ReadOnlySpan<byte> packet, ushort sequence, bool isRetransmission)
    {
        if (!isRetransmission)
        {
            if (_highestSequence is { } highest)
            {
                var ahead = (short)(sequence - highest);
                if (ahead > 1 && ahead <= MaxNack)
                {
                    SendNack((ushort)(highest + 1), ahead - 1);
                }

                if (ahead > 0)
                {
                    _videoCycles += sequence < highest ? 1u : 0u;
                    _highestSequence = sequence;
                }
            }
            else
            {
                _highestSequence = sequence;
            }
        }

        var now = _time.GetTimestamp();
        var lostBefore = _videoReorder.Lost;
        _videoReorder.Push(packet, now);
        while (_videoReorder.TryPop(now, out var ordered))
        {
            _videoAssembler!.Push(ordered);
        }

        _keyframeRequests += _videoReorder.Lost - lostBefore;
    }

    //  Generic NACK (RFC 4585 §6.2.1): RTPFB (PT 205), FMT 1 | sender SSRC | media SSRC | (PID 16 | BLP 16) × n
    private void SendNack(ushort first, int count)
    {
        if (_video?.Feedback.Contains("nack") != true)
        {
            return;
        }

        var items = (count + 16) / 17;
        Span<byte> nack = stackalloc byte[12 + (4 * items)];
        nack[0] = 0x81;
        nack[1] = 205;
        BinaryPrimitives.WriteUInt16BigEndian(nack[2..], (ushort)((nack.Length / 4) - 1));
        BinaryPrimitives.WriteUInt32BigEndian(nack[4..], 1);
        BinaryPrimitives.WriteUInt32BigEndian(nack[8..], _videoSsrc);
        for (var item = 0; item < items; item++)
        {
            var pid = (ushort)(first + (item * 17));
            var bits = 0;
            for (var i = 1; i <= 16 && (item * 17) + i < count; i++)
            {
                bits |= 1 << (i - 1);
            }

            BinaryPrimitives.WriteUInt16BigEndian(nack[(12 + (4 * item))..], pid);
            BinaryPrimitives.WriteUInt16BigEndian(nack[(14 + (4 * item))..], (ushort)bits);
        }

        _nacked += count;
        _peer.SendRtcp(nack);
    }

    private void OnRtcp(ReadOnlySpan<byte> compound)
    {
        var reader = new RtcpCompoundReader(compound);
        lock (_lock)
        {
            while (reader.TryReadNext(out var packet))
            {
                if (packet.PacketType == RtcpPacketType.SenderReport && RtcpSenderReport.TryRead(packet, out var report, out _))
                {
                    var assembler = report.Ssrc == _videoSsrc ? _videoAssembler : report.Ssrc == _audioSsrc ? _audioAssembler : null;
                    assembler?.OnSenderReport(report.NtpTimestamp, report.RtpTimestamp);
                    if (report.Ssrc == _videoSsrc)
                    {
                        _videoReport = (report.Ssrc, report.NtpTimestamp, _time.GetTimestamp());
                    }
                    else if (report.Ssrc == _audioSsrc)
                    {
                        _audioReport = (report.Ssrc, report.NtpTimestamp, _time.GetTimestamp());
                    }
                }
            }
        }
    }

    /// <summary>Opus frames on the session timeline: their RTP packets go to the transcoder, anchored at the frame's time.</summary>
    private void OnOpus(TrackInfo track, MediaFrame frame)
    {
        var time = frame.Dts;
        frame.Release();
        _transcoder!.Push(_opusPacket.AsSpan(0, _opusLength), time, _opusPayloadType);
    }

    private void OnFrame(TrackInfo track, MediaFrame frame)
    {
        ref var known = ref track.Kind == MediaKind.Video ? ref _videoTrack : ref _audioTrack;
        if (!ReferenceEquals(known, track))
        {
            known = track;
            _publisher.SetTrack(track);
        }

        if (frame.IsKeyframe)
        {
            _lastKeyframe = _time.GetTimestamp();
            if (!_keyframeSeen)
            {
                _keyframeSeen = true;
                Log.FirstKeyframe(_logger, Path);
            }
        }

        _publisher.Write(frame);
    }

    /// <summary>A switcher or a new viewer wants a keyframe: the next feedback round sends a PLI (still at most one a second).</summary>
    private void OnKeyframeRequested(LiveStream stream)
    {
        lock (_lock)
        {
            _keyframeRequests++;
        }
    }

    /// <summary>REMB once a second; PLI until the first keyframe, after a loss, and when no keyframe came for the keyframe interval (at most once a second).</summary>
    private void SendFeedback()
    {
        uint ssrc;
        lock (_lock)
        {
            ssrc = _videoSsrc;
            if (ssrc != 0 && _time.GetElapsedTime(_lastRemb) >= TimeSpan.FromSeconds(1))
            {
                _lastRemb = _time.GetTimestamp();
                SendReceiverReport();
                SendRemb(ssrc, _audioSsrc);
            }

            var due = !_keyframeSeen || _keyframeRequests > 0 || _time.GetElapsedTime(_lastKeyframe) >= s_keyframeInterval;
            if (!due || ssrc == 0 || _time.GetElapsedTime(_lastPli) < s_pliInterval)
            {
                return;
            }

            _keyframeRequests = 0;
            _lastPli = _time.GetTimestamp();
        }

        //  RTCP PSFB (PT 206), FMT 1 = PLI: V=2 P FMT | PT | length=2 | sender SSRC | media SSRC (RFC 4585 §6.3.1)
        Span<byte> pli = stackalloc byte[12];
        pli[0] = 0x81;
        pli[1] = 206;
        BinaryPrimitives.WriteUInt16BigEndian(pli[2..], 2);
        BinaryPrimitives.WriteUInt32BigEndian(pli[4..], 1);
        BinaryPrimitives.WriteUInt32BigEndian(pli[8..], ssrc);
        _peer.SendRtcp(pli);
    }

    /// <summary>A receiver report (RFC 3550 §6.4.2) with a block per source: loss, highest sequence, and LSR/DLSR for the sender's RTT. Jitter is not measured (0).</summary>
    private void SendReceiverReport()
    {
        Span<RtcpReportBlock> blocks = stackalloc RtcpReportBlock[2];
        var count = 0;
        if (_highestSequence is { } video)
        {
            var extended = (_videoCycles << 16) | video;
            var lost = _videoReorder.Lost;
            var expected = extended - _expectedAtLastReport;
            var fraction = expected == 0 || _expectedAtLastReport == 0 ? (byte)0 : (byte)Math.Clamp((lost - _lostAtLastReport) * 256 / expected, 0, 255);
            _expectedAtLastReport = extended;
            _lostAtLastReport = lost;
            blocks[count++] = new RtcpReportBlock(_videoSsrc, fraction, (int)Math.Min(lost, RtcpReportBlock.MaxCumulativeLost), extended, 0, LastReport(_videoReport), DelaySince(_videoReport));
        }

        if (_audioHighest is { } audio)
        {
            blocks[count++] = new RtcpReportBlock(_audioSsrc, 0, 0, (_audioCycles << 16) | audio, 0, LastReport(_audioReport), DelaySince(_audioReport));
        }

        Span<byte> report = stackalloc byte[RtcpReceiverReport.GetLength(2)];
        if (RtcpReceiverReport.TryWrite(report, 1, blocks[..count], out var written))
        {
            _peer.SendRtcp(report[..written]);
        }
    }

    private static uint LastReport((uint Ssrc, ulong Ntp, long At) report) => report.Ntp == 0 ? 0 : NtpTime.ToMiddle32(report.Ntp);

    private uint DelaySince((uint Ssrc, ulong Ntp, long At) report) => report.Ntp == 0 ? 0 : NtpTime.ToDelay(_time.GetElapsedTime(report.At));

    //  REMB (draft-alvestrand-rmcat-remb): PSFB (PT 206), FMT 15 | sender SSRC | media SSRC 0 | "REMB" |
    //  number of SSRCs (8) | BR exponent (6) | BR mantissa (18) | SSRC × n
    private void SendRemb(uint videoSsrc, uint audioSsrc)
    {
        var count = audioSsrc != 0 ? 2 : 1;
        Span<byte> remb = stackalloc byte[20 + (4 * count)];
        remb[0] = 0x8F;
        remb[1] = 206;
        BinaryPrimitives.WriteUInt16BigEndian(remb[2..], (ushort)((remb.Length / 4) - 1));
        BinaryPrimitives.WriteUInt32BigEndian(remb[4..], 1);
        BinaryPrimitives.WriteUInt32BigEndian(remb[8..], 0);
        "REMB"u8.CopyTo(remb[12..]);
        var exponent = 0;
        var mantissa = ReceiveBitrate;
        while (mantissa > 0x3FFFF)
        {
            mantissa >>= 1;
            exponent++;
        }

        remb[16] = (byte)count;
        remb[17] = (byte)((exponent << 2) | (int)(mantissa >> 16));
        BinaryPrimitives.WriteUInt16BigEndian(remb[18..], (ushort)mantissa);
        BinaryPrimitives.WriteUInt32BigEndian(remb[20..], videoSsrc);
        if (count == 2)
        {
            BinaryPrimitives.WriteUInt32BigEndian(remb[24..], audioSsrc);
        }

        _peer.SendRtcp(remb);
    }

    private static partial class Log
    {
        [LoggerMessage(2740, LogLevel.Information, "WHIP publish of {StreamPath}: first keyframe")]
        public static partial void FirstKeyframe(ILogger logger, string streamPath);
    }
}

/// <summary>A WHIP publisher's link figures for <c>/api/streams</c> (<c>publisher.transport</c>).</summary>
internal sealed class WhipTransportStatistics : LiveRelay.Core.Streams.ITransportStatistics
{
    public WhipSession? Session { get; set; }

    public IReadOnlyDictionary<string, double> Snapshot()
    {
        if (Session is not { } session)
        {
            return new Dictionary<string, double>();
        }

        var (nacked, retransmitted, lost) = session.Recovery;
        return new Dictionary<string, double>
        {
            ["packetsNacked"] = nacked,
            ["packetsRetransmitted"] = retransmitted,
            ["packetsLost"] = lost,
            ["srtpFailures"] = session.Peer.SrtpFailures,
        };
    }
}
