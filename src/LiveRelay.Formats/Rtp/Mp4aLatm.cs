using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using LiveRelay.Codecs.Aac;

namespace LiveRelay.Formats.Rtp;

/// <summary>
/// What a MP4A-LATM track's out-of-band StreamMuxConfig (the SDP <c>config=</c>) says: the one
/// program's AudioSpecificConfig and how its AudioMuxElements are laid out.
/// </summary>
public sealed class Mp4aLatmConfig
{
    internal Mp4aLatmConfig(AudioSpecificConfig audio, byte[] audioSpecificConfig, int subFrames, int otherDataLengthBits)
    {
        Audio = audio;
        AudioSpecificConfigBytes = audioSpecificConfig;
        SubFrames = subFrames;
        OtherDataLengthBits = otherDataLengthBits;
    }

    /// <summary>The parsed AudioSpecificConfig.</summary>
    public AudioSpecificConfig Audio { get; }

    /// <summary>The AudioSpecificConfig bytes, byte-aligned (as in MP4 <c>esds</c> or the RTMP AAC sequence header).</summary>
    public ReadOnlyMemory<byte> AudioSpecificConfigBytes { get; }

    /// <summary>Frames per AudioMuxElement: numSubFrames + 1.</summary>
    public int SubFrames { get; }

    /// <summary>Bits of other data after the frames of each AudioMuxElement (0 when otherDataPresent is 0).</summary>
    public int OtherDataLengthBits { get; }
}

/// <summary>
/// MPEG-4 audio over RTP as MP4A-LATM (RFC 6416, formerly RFC 3016) with <c>cpresent=0</c>: the
/// StreamMuxConfig comes in the SDP and each RTP payload holds AudioMuxElements without one. Only the
/// layout that cameras and encoders use is read: audioMuxVersion 0, all streams with the same time
/// framing, one program with one layer, variable frame lengths (frameLengthType 0). Anything else is
/// refused with the reason.
/// </summary>
public static class Mp4aLatm
{
    /// <summary>The longest StreamMuxConfig read, in bytes.</summary>
    public const int MaxConfigLength = 64;

    /// <summary>The longest AAC frame (one PayloadMux) read, in bytes.</summary>
    public const int MaxFrameLength = 16 * 1024;

    private const int MaxOtherDataLengthBytes = 4;
    private const string CutOff = "the StreamMuxConfig is cut off";

    /// <summary>Parses the SDP <c>config=</c> value: the StreamMuxConfig in hexadecimal.</summary>
    public static bool TryParseConfig(string hex, [NotNullWhen(true)] out Mp4aLatmConfig? config, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(hex);
        config = null;
        var text = hex.AsSpan().Trim();
        if (text.IsEmpty || text.Length % 2 != 0 || text.Length > 2 * MaxConfigLength)
        {
            error = $"a config of {text.Length} hex digits: not an even count from 2 to {2 * MaxConfigLength}";
            return false;
        }

        Span<byte> bytes = stackalloc byte[MaxConfigLength];
        if (Convert.FromHexString(text, bytes, out _, out var written) != OperationStatus.Done)
        {
            error = "the config is not hexadecimal";
            return false;
        }

        return TryParseConfig(bytes[..written], out config, out error);
    }

    //  StreamMuxConfig (ISO/IEC 14496-3 1.7.3.1), the layout read:
    //    audioMuxVersion              1   = 0 (1 is refused)
    //    allStreamsSameTimeFraming    1   = 1
    //    numSubFrames                 6   frames per AudioMuxElement − 1
    //    numProgram                   4   = 0 (one program)
    //    numLayer                     3   = 0 (one layer)
    //    AudioSpecificConfig()            not byte-aligned; its length comes from its own fields
    //    frameLengthType              3   = 0 (variable length, PayloadLengthInfo)
    //    latmBufferFullness           8
    //    otherDataPresent             1
    //    [otherDataLenBits]               { otherDataLenEsc 1, otherDataLenTmp 8 } while the escape is 1
    //    crcCheckPresent              1
    //    [crcCheckSum                 8]
    /// <summary>
    /// Parses a StreamMuxConfig. Returns false with the reason, never throws, when it is cut off, uses
    /// another layout, or its AudioSpecificConfig is not one of the AAC object types read.
    /// </summary>
    public static bool TryParseConfig(ReadOnlySpan<byte> streamMuxConfig, [NotNullWhen(true)] out Mp4aLatmConfig? config, [NotNullWhen(false)] out string? error)
    {
        config = null;
        if (streamMuxConfig.IsEmpty || streamMuxConfig.Length > MaxConfigLength)
        {
            error = $"a StreamMuxConfig of {streamMuxConfig.Length} bytes: not 1 to {MaxConfigLength}";
            return false;
        }

        var bits = new BitCursor(streamMuxConfig);
        if (bits.Read(1) != 0)
        {
            error = "audioMuxVersion 1 is not supported (only 0)";
            return false;
        }

        var sameTimeFraming = bits.Read(1);
        var subFrames = (int)bits.Read(6) + 1;
        var programs = bits.Read(4);
        var layers = bits.Read(3);
        if (bits.HasError)
        {
            error = CutOff;
            return false;
        }

        if (sameTimeFraming != 1)
        {
            error = "allStreamsSameTimeFraming 0 is not supported";
            return false;
        }

        if (programs != 0 || layers != 0)
        {
            error = $"{programs + 1} programs with {layers + 1} layers: only one of each is supported";
            return false;
        }

        var ascStart = bits.Position;
        if (!LatmAudioSpecificConfig.TrySkip(ref bits, out error))
        {
            return false;
        }

        var ascBits = bits.Position - ascStart;
        var frameLengthType = bits.Read(3);
        bits.Read(8); // latmBufferFullness
        if (bits.HasError)
        {
            error = CutOff;
            return false;
        }

        if (frameLengthType != 0)
        {
            error = $"frameLengthType {frameLengthType} is not supported (only 0, variable-length frames)";
            return false;
        }

        var otherDataLengthBits = 0;
        if (bits.Read(1) == 1)
        {
            // otherDataLenBits: 8-bit groups, each after an escape bit saying whether another follows.
            var escape = true;
            for (var i = 0; escape && i < MaxOtherDataLengthBytes; i++)
            {
                escape = bits.Read(1) == 1;
                otherDataLengthBits = (otherDataLengthBits << 8) | (int)bits.Read(8);
            }

            if (escape || otherDataLengthBits < 0)
            {
                error = "otherDataLenBits is longer than 31 bits";
                return false;
            }
        }

        if (bits.Read(1) == 1)
        {
            bits.Read(8); // crcCheckSum
        }

        if (bits.HasError)
        {
            error = CutOff;
            return false;
        }

        var asc = bits.Extract(ascStart, ascBits);
        if (!AudioSpecificConfig.TryParse(asc, out var audio))
        {
            error = "the AudioSpecificConfig is not valid";
            return false;
        }

        config = new Mp4aLatmConfig(audio, asc, subFrames, otherDataLengthBits);
        error = null;
        return true;
    }

    //  RTP payload (cpresent=0): one or more AudioMuxElements, each byte-aligned:
    //    for each of the config's SubFrames:
    //      PayloadLengthInfo   bytes of 255 summed, ended by a byte below 255 (added too)
    //      PayloadMux          that many bytes: one raw AAC frame
    //    otherData             OtherDataLengthBits bits, then byte_alignment()
    /// <summary>
    /// Reads complete AudioMuxElements and writes each AAC frame with a 4-byte big-endian length
    /// prefix. Validates everything first: returns false with the reason, having written nothing,
    /// when a length runs past the end, a frame is empty or longer than <see cref="MaxFrameLength"/>,
    /// or the elements do not fill the payload exactly.
    /// </summary>
    public static bool TryReadFrames(ReadOnlySpan<byte> elements, Mp4aLatmConfig config, IBufferWriter<byte> frames, out int count, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(frames);
        count = 0;
        if (elements.IsEmpty)
        {
            error = "an empty payload";
            return false;
        }

        var otherDataBytes = (config.OtherDataLengthBits + 7) / 8;
        var rest = elements;
        var frameCount = 0;
        while (!rest.IsEmpty)
        {
            for (var i = 0; i < config.SubFrames; i++)
            {
                if (!TryReadFrame(ref rest, out _, out error))
                {
                    return false;
                }

                frameCount++;
            }

            if (otherDataBytes > rest.Length)
            {
                error = "the other data runs past the end of the payload";
                return false;
            }

            rest = rest[otherDataBytes..];
        }

        rest = elements;
        while (!rest.IsEmpty)
        {
            for (var i = 0; i < config.SubFrames; i++)
            {
                TryReadFrame(ref rest, out var frame, out _);
                var span = frames.GetSpan(4 + frame.Length);
                BinaryPrimitives.WriteInt32BigEndian(span, frame.Length);
                frame.CopyTo(span[4..]);
                frames.Advance(4 + frame.Length);
            }

            rest = rest[otherDataBytes..];
        }

        count = frameCount;
        error = null;
        return true;
    }

    private static bool TryReadFrame(ref ReadOnlySpan<byte> rest, out ReadOnlySpan<byte> frame, [NotNullWhen(false)] out string? error)
    {
        frame = default;
        var length = 0;
        var used = 0;
        while (true)
        {
            if (used == rest.Length)
            {
                error = "the PayloadLengthInfo runs past the end of the payload";
                return false;
            }

            var part = rest[used++];
            length += part;
            if (length > MaxFrameLength)
            {
                error = $"a frame longer than {MaxFrameLength} bytes";
                return false;
            }

            if (part != 255)
            {
                break;
            }
        }

        if (length == 0)
        {
            error = "an empty frame";
            return false;
        }

        if (length > rest.Length - used)
        {
            error = $"a frame of {length} bytes runs past the end of the payload";
            return false;
        }

        frame = rest.Slice(used, length);
        rest = rest[(used + length)..];
        error = null;
        return true;
    }
}
