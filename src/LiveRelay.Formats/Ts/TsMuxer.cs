using System.Buffers;
using LiveRelay.Codecs.Aac;
using LiveRelay.Codecs.H264;
using LiveRelay.Codecs.H265;
using LiveRelay.Core.Media;

namespace LiveRelay.Formats.Ts;

/// <summary>
/// Writes media frames as an MPEG-TS program (HLS segments, SRT egress): one program with an H.264 or
/// H.265 video stream on <see cref="VideoPid"/> and an AAC (ADTS) audio stream on <see cref="AudioPid"/>.
/// Video access units become Annex B with an AUD and, for IDR (H.264) or IRAP (H.265) access units
/// without in-band parameter sets, the track's SPS/PPS (VPS/SPS/PPS); audio frames get an ADTS header. One PES per frame; the PCR rides on the first packet of each
/// video PES (of each audio PES when there is no video) and equals that frame's DTS.
/// </summary>
/// <remarks>
/// Not thread-safe: one muxer per output (continuity counters are per output). Scratch memory
/// is kept on the muxer, so steady-state muxing does not allocate. A new muxer (new continuity
/// counters) should be signalled downstream as a discontinuity.
/// </remarks>
public sealed partial class TsMuxer
{
    /// <summary>PID of the video elementary stream.</summary>
    public const int VideoPid = 0x100;

    /// <summary>PID of the audio elementary stream.</summary>
    public const int AudioPid = 0x101;

    /// <summary>PID of the program map table.</summary>
    public const int PmtPid = 0x1000;

    /// <summary>The one program's program_number.</summary>
    public const int ProgramNumber = 1;

    /// <summary>transport_stream_id written in the PAT.</summary>
    public const int TransportStreamId = 1;

    private const byte VideoStreamId = 0xE0;
    private const byte AudioStreamId = 0xC0;
    private const int DefaultNalLengthSize = 4;

    private readonly TrackInfo? _video;
    private readonly TrackInfo? _audio;
    private readonly ArrayBufferWriter<byte> _pes = new(64 * 1024);

    private byte _patCounter;
    private byte _pmtCounter;
    private byte _videoCounter;
    private byte _audioCounter;

    private TrackInfo? _videoConfigTrack;
    private AvcDecoderConfiguration? _avcConfig;
    private HevcDecoderConfiguration? _hevcConfig;
    private TrackInfo? _audioConfigTrack;
    private AudioSpecificConfig _audioConfig;
    private bool _audioConfigValid;

    /// <summary>Creates a muxer for a program with the given tracks (at least one).</summary>
    /// <param name="video">The H.264 or H.265 video track, or null for audio only.</param>
    /// <param name="audio">The AAC audio track, or null for video only.</param>
    /// <exception cref="ArgumentException">Both tracks are null, or a track is of the wrong kind.</exception>
    /// <exception cref="NotSupportedException">A track's codec cannot be carried yet.</exception>
    public TsMuxer(TrackInfo? video, TrackInfo? audio)
    {
        if (video is null && audio is null)
        {
            throw new ArgumentException("A TS program needs at least one track.", nameof(video));
        }

        if (video is not null && video.Kind != MediaKind.Video)
        {
            throw new ArgumentException("Expected a video track.", nameof(video));
        }

        if (audio is not null && audio.Kind != MediaKind.Audio)
        {
            throw new ArgumentException("Expected an audio track.", nameof(audio));
        }

        _video = video;
        _audio = audio;
        _pmtSection = BuildPmtSection(video is null ? (byte)0 : GetStreamType(video.Codec), audio is null ? (byte)0 : GetStreamType(audio.Codec));
    }

    /// <summary>True for the codecs a program can carry: H.264, H.265 and AAC.</summary>
    public static bool CanCarry(CodecId codec) => codec is CodecId.H264 or CodecId.H265 or CodecId.Aac;

    /// <summary>The PID that carries the PCR: the video PID, or the audio PID without video.</summary>
    public int PcrPid => _video is not null ? VideoPid : AudioPid;

    /// <summary>
    /// Writes one frame as a PES in whole 188-byte packets. Frames of a kind or codec the program
    /// does not declare, and malformed frames (a bad NAL length, an AAC configuration ADTS cannot
    /// express, an audio frame over 8184 bytes), are not written.
    /// </summary>
    /// <returns>True when the frame was written; false when nothing was written.</returns>
    public bool WriteFrame(MediaFrame frame, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(output);
        return frame.Kind == MediaKind.Video ? WriteVideo(frame, output) : WriteAudio(frame, output);
    }

    private static byte GetStreamType(CodecId codec) => codec switch
    {
        CodecId.H264 => TsStreamType.H264,
        CodecId.H265 => TsStreamType.H265,
        CodecId.Aac => TsStreamType.AacAdts,
        _ => throw new NotSupportedException($"The TS muxer cannot carry {codec} yet."),
    };

    private bool WriteVideo(MediaFrame frame, IBufferWriter<byte> output)
    {
        if (_video is null || frame.Track.Codec != _video.Codec)
        {
            return false;
        }

        // The configuration is parsed once per track instance, never per frame.
        if (!ReferenceEquals(frame.Track, _videoConfigTrack))
        {
            _videoConfigTrack = frame.Track;
            var record = frame.Track.CodecConfig.Span;
            _avcConfig = _video.Codec == CodecId.H264 && AvcDecoderConfiguration.TryParse(record, out var avc) ? avc : null;
            _hevcConfig = _video.Codec == CodecId.H265 && HevcDecoderConfiguration.TryParse(record, out var hevc) ? hevc : null;
        }

        _pes.ResetWrittenCount();
        WritePesHeader(_pes, VideoStreamId, frame.Pts, frame.Dts, payloadLength: null);
        var written = _video.Codec == CodecId.H265
            ? H265Nal.TryWriteAnnexB(frame.Payload.Span, _hevcConfig?.NalUnitLengthSize ?? DefaultNalLengthSize, _hevcConfig, _pes)
            : H264Nal.TryWriteAnnexB(frame.Payload.Span, _avcConfig?.NalUnitLengthSize ?? DefaultNalLengthSize, _avcConfig, _pes);
        if (!written)
        {
            return false;
        }

        WritePackets(VideoPid, ref _videoCounter, _pes.WrittenSpan, pcr: frame.Dts, randomAccess: frame.IsKeyframe, output);
        return true;
    }

    private bool WriteAudio(MediaFrame frame, IBufferWriter<byte> output)
    {
        if (_audio is null || frame.Track.Codec != _audio.Codec)
        {
            return false;
        }

        if (!ReferenceEquals(frame.Track, _audioConfigTrack))
        {
            _audioConfigTrack = frame.Track;
            _audioConfigValid = AudioSpecificConfig.TryParse(frame.Track.CodecConfig.Span, out _audioConfig) && Adts.CanWrite(_audioConfig);
        }

        var raw = frame.Payload.Span;
        if (!_audioConfigValid || raw.Length > Adts.MaxFrameLength - Adts.HeaderLength)
        {
            return false;
        }

        _pes.ResetWrittenCount();
        WritePesHeader(_pes, AudioStreamId, frame.Pts, frame.Pts, payloadLength: Adts.HeaderLength + raw.Length);
        var destination = _pes.GetSpan(Adts.HeaderLength + raw.Length);
        Adts.WriteHeader(destination, _audioConfig, raw.Length);
        raw.CopyTo(destination[Adts.HeaderLength..]);
        _pes.Advance(Adts.HeaderLength + raw.Length);

        // Every AAC frame is a random access point; without video the audio PID carries the PCR.
        var audioOnly = _video is null;
        WritePackets(AudioPid, ref _audioCounter, _pes.WrittenSpan, pcr: audioOnly ? frame.Pts : null, randomAccess: audioOnly, output);
        return true;
    }
}
