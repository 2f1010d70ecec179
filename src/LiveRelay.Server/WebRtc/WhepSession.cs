using System.Buffers.Binary;
using LiveRelay.Codecs.H264;
using LiveRelay.Core.Media;
using LiveRelay.Core.Streams;
using LiveRelay.Formats.Rtp;
using LiveRelay.Protocols.WebRtc.Sdp;
using LiveRelay.Protocols.WebRtc.Transport;

namespace LiveRelay.Server.WebRtc;

/// <summary>
/// One WHEP viewer: once its peer connection is up, it reads the stream from the GOP cache's
/// keyframe on and sends H.264 as RTP (passthrough, packetized per RFC 6184 with the SPS and PPS
/// before every keyframe), audio as Opus from the stream's shared <see cref="AacToOpusTranscoder"/>,
/// and RTCP sender reports that put both on one clock (browsers use them for lip sync).
/// </summary>
internal sealed partial class WhepSession : IAsyncDisposable, IRtpPayloadSink
{
    private const int MaxPayload = 1200;

    /// <summary>Video packets kept for retransmission on NACK: about 0.45 s at 2.7 Mbit/s, more than a round trip; 160 KiB per viewer.</summary>
    private const int HistorySize = 128;
    private static readonly TimeSpan s_senderReports = TimeSpan.FromSeconds(1);

    private readonly WebRtcPeerConnection _peer;
    private readonly LiveStream _stream;
    private readonly string _remote;
    private readonly NegotiatedMedia? _video;
    private readonly NegotiatedMedia? _audio;
    private readonly uint _videoSsrc;
    private readonly uint _audioSsrc;
    private readonly AacToOpusTranscoder? _opus;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly byte[] _packet = new byte[1500];
    private readonly H264RtpPacketizer _packetizer = new();
    private readonly byte[][] _history = [.. Enumerable.Range(0, HistorySize).Select(_ => new byte[1300])];
    private readonly int[] _historyLength = new int[HistorySize];
    private readonly ushort[] _historySequence = new ushort[HistorySize];
    private readonly Lock _historyLock = new();
    private long _retransmitted;
    private readonly Lock _audioLock = new();
    private readonly uint _videoTimestampBase = (uint)Random.Shared.Next();
    private readonly uint _audioTimestampBase = (uint)Random.Shared.Next();
    private readonly long _wallBase = DateTime.UtcNow.Ticks;
    private Action<ReadOnlyMemory<byte>, long>? _opusSink;
    private Task _run = Task.CompletedTask;
    private ushort _videoSequence = (ushort)Random.Shared.Next();
    private ushort _audioSequence = (ushort)Random.Shared.Next();
    private uint _rtpTimestamp;
    private long _mediaBase = -1;
    private long _lastVideoTime = -1;
    private long _lastAudioTime = -1;
    private long _videoPackets;
    private long _videoOctets;
    private long _audioPackets;
    private long _audioOctets;
    private long _lastReport;

    public WhepSession(string id, WebRtcPeerConnection peer, LiveStream stream, string remote, WebRtcAnswer answer, uint videoSsrc, uint audioSsrc, AacToOpusTranscoder? opus, ILogger logger)
    {
        Id = id;
        _peer = peer;
        _stream = stream;
        _remote = remote;
        _video = answer.Video;
        _audio = answer.Audio;
        _videoSsrc = videoSsrc;
        _audioSsrc = audioSsrc;
        _opus = opus;
        _logger = logger;
    }

    public string Id { get; }

    public string Path => _stream.Path;

    public WebRtcPeerConnection Peer => _peer;

    /// <summary>Video packets sent again on the viewer's NACKs.</summary>
    public long Retransmitted => Interlocked.Read(ref _retransmitted);

    /// <summary>Sends media once the peer is connected, until it closes or the stream ends.</summary>
    public void Start() => _run = Task.Run(RunAsync);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _run.ConfigureAwait(false);
        if (_opusSink is not null)
        {
            _opus?.Remove(_opusSink);
        }

        await _peer.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    void IRtpPayloadSink.OnPayload(ReadOnlySpan<byte> payloadHeader, ReadOnlySpan<byte> payloadBody, bool marker)
    {
        var length = WriteHeader(_packet, (byte)_video!.PayloadType, marker, _videoSequence++, _rtpTimestamp, _videoSsrc);
        payloadHeader.CopyTo(_packet.AsSpan(length));
        payloadBody.CopyTo(_packet.AsSpan(length + payloadHeader.Length));
        var total = length + payloadHeader.Length + payloadBody.Length;
        lock (_historyLock)
        {
            var sequence = (ushort)(_videoSequence - 1);
            var slot = sequence % HistorySize;
            _packet.AsSpan(0, total).CopyTo(_history[slot]);
            _historyLength[slot] = total;
            _historySequence[slot] = sequence;
        }

        _peer.SendRtp(_packet.AsSpan(0, total));
        _videoPackets++;
        _videoOctets += total - length;
    }

    //  RTP header: V=2 P X CC | M PT | sequence | timestamp | SSRC (RFC 3550 §5.1)
    private static int WriteHeader(Span<byte> destination, byte payloadType, bool marker, ushort sequence, uint timestamp, uint ssrc)
    {
        destination[0] = 0x80;
        destination[1] = (byte)((marker ? 0x80 : 0) | payloadType);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], sequence);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], ssrc);
        return 12;
    }

    private async Task RunAsync()
    {
        try
        {
            await _peer.Connected.WaitAsync(_stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            return;
        }

        Log.Playing(_logger, Path, _remote, Id);
        _peer.RtcpReceived = OnRtcp;
        if (_audio is not null && _opus is not null)
        {
            _opusSink = SendOpus;
            _opus.Add(_opusSink);
        }

        using var reader = _stream.Subscribe("webrtc", _remote);
        _stream.RequestKeyframe();
        byte[]? sps = null, pps = null;
        TrackInfo? videoTrack = null;
        try
        {
            while (!_stop.IsCancellationRequested && await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var frame))
                {
                    try
                    {
                        if (_video is null || frame.Track.Codec != CodecId.H264)
                        {
                            continue;
                        }

                        if (!ReferenceEquals(videoTrack, frame.Track) && AvcDecoderConfiguration.TryParse(frame.Track.CodecConfig.Span, out var config) && config is not null)
                        {
                            videoTrack = frame.Track;
                            sps = config.Sps.Count > 0 ? config.Sps[0].ToArray() : null;
                            pps = config.Pps.Count > 0 ? config.Pps[0].ToArray() : null;
                        }

                        SendVideo(frame, sps, pps);
                    }
                    finally
                    {
                        frame.Release();
                    }
                }

                SendReportsIfDue();
            }
        }
        catch (OperationCanceledException)
        {
            // Closed.
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            Log.Failed(_logger, Path, Id, ex.Message);
        }

        if (!_stop.IsCancellationRequested)
        {
            _peer.Close(_stream.State == StreamState.Ended ? "the stream ended" : $"the reader closed ({reader.CloseReason})");
        }
    }

    private void SendVideo(MediaFrame frame, byte[]? sps, byte[]? pps)
    {
        if (_mediaBase < 0)
        {
            _mediaBase = frame.Dts;
        }

        // RTP time of a video frame is its presentation time (RFC 6184 §5.1), 90 kHz like ours.
        _rtpTimestamp = _videoTimestampBase + (uint)(frame.Pts - _mediaBase);
        _lastVideoTime = frame.Pts;
        _packetizer.Packetize(frame.Payload.Span, sps, pps, frame.IsKeyframe, MaxPayload, this);
    }

    private void SendOpus(ReadOnlyMemory<byte> opus, long time)
    {
        lock (_audioLock)
        {
            if (_mediaBase < 0 || time < _mediaBase)
            {
                return; // audio waits for the first video frame, which fixes the session's clock
            }

            Span<byte> packet = stackalloc byte[12 + opus.Length];
            var timestamp = _audioTimestampBase + (uint)((time - _mediaBase) * 48000 / MediaClock.Hz);
            WriteHeader(packet, (byte)_audio!.PayloadType, marker: false, _audioSequence++, timestamp, _audioSsrc);
            opus.Span.CopyTo(packet[12..]);
            _peer.SendRtp(packet);
            _lastAudioTime = time;
            _audioPackets++;
            _audioOctets += opus.Length;
        }
    }

    /// <summary>The viewer's feedback: NACK → the packets again from the history; PLI → ask the source for a keyframe.</summary>
    private void OnRtcp(ReadOnlySpan<byte> compound)
    {
        var reader = new RtcpCompoundReader(compound);
        while (reader.TryReadNext(out var packet))
        {
            //  RTPFB (205) FMT 1 = generic NACK: sender SSRC | media SSRC | (PID 16 | BLP 16) × n (RFC 4585 §6.2.1)
            if (packet.PacketType == 205 && packet.Count == 1 && packet.Body.Length >= 12)
            {
                for (var fci = packet.Body[8..]; fci.Length >= 4; fci = fci[4..])
                {
                    var pid = BinaryPrimitives.ReadUInt16BigEndian(fci);
                    var bits = BinaryPrimitives.ReadUInt16BigEndian(fci[2..]);
                    Retransmit(pid);
                    for (var i = 0; i < 16; i++)
                    {
                        if ((bits & (1 << i)) != 0)
                        {
                            Retransmit((ushort)(pid + i + 1));
                        }
                    }
                }
            }
            else if (packet.PacketType == 206 && packet.Count is 1 or 4)
            {
                // PLI (FMT 1) or FIR (FMT 4): the viewer lost the picture.
                _stream.RequestKeyframe();
            }
        }
    }

    private void Retransmit(ushort sequence)
    {
        lock (_historyLock)
        {
            var slot = sequence % HistorySize;
            if (_historySequence[slot] == sequence && _historyLength[slot] > 0)
            {
                _peer.SendRtp(_history[slot].AsSpan(0, _historyLength[slot]));
                _retransmitted++;
            }
        }
    }

    /// <summary>A sender report per track each second: the same media time maps to the same NTP time on both.</summary>
    private void SendReportsIfDue()
    {
        var now = Environment.TickCount64;
        if (now - _lastReport < s_senderReports.TotalMilliseconds || _mediaBase < 0)
        {
            return;
        }

        _lastReport = now;
        Span<byte> report = stackalloc byte[28];
        if (_lastVideoTime >= 0)
        {
            SenderReport(report, _videoSsrc, _lastVideoTime, _videoTimestampBase + (uint)(_lastVideoTime - _mediaBase), _videoPackets, _videoOctets);
            _peer.SendRtcp(report);
        }

        lock (_audioLock)
        {
            if (_lastAudioTime >= 0)
            {
                SenderReport(report, _audioSsrc, _lastAudioTime, _audioTimestampBase + (uint)((_lastAudioTime - _mediaBase) * 48000 / MediaClock.Hz), _audioPackets, _audioOctets);
                _peer.SendRtcp(report);
            }
        }
    }

    //  SR: V=2 P RC=0 | PT=200 | length=6 | SSRC | NTP (64) | RTP timestamp | packet count | octet count (RFC 3550 §6.4.1)
    private void SenderReport(Span<byte> report, uint ssrc, long mediaTime, uint rtpTimestamp, long packets, long octets)
    {
        var wall = new DateTime(_wallBase + ((mediaTime - _mediaBase) * TimeSpan.TicksPerSecond / MediaClock.Hz), DateTimeKind.Utc);
        report[0] = 0x80;
        report[1] = 200;
        BinaryPrimitives.WriteUInt16BigEndian(report[2..], 6);
        BinaryPrimitives.WriteUInt32BigEndian(report[4..], ssrc);
        BinaryPrimitives.WriteUInt64BigEndian(report[8..], NtpTime.FromDateTime(wall));
        BinaryPrimitives.WriteUInt32BigEndian(report[16..], rtpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(report[20..], (uint)packets);
        BinaryPrimitives.WriteUInt32BigEndian(report[24..], (uint)octets);
    }

    private static partial class Log
    {
        [LoggerMessage(2760, LogLevel.Information, "WHEP play of {StreamPath} by {Remote}: session {SessionId} sending")]
        public static partial void Playing(ILogger logger, string streamPath, string remote, string sessionId);

        [LoggerMessage(2761, LogLevel.Warning, "WHEP play of {StreamPath} (session {SessionId}) failed: {Problem}")]
        public static partial void Failed(ILogger logger, string streamPath, string sessionId, string problem);
    }
}
