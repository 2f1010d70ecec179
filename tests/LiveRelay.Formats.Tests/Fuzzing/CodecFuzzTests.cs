using System.Buffers;
using System.Buffers.Binary;
using LiveRelay.Codecs.Aac;
using LiveRelay.Codecs.H264;
using LiveRelay.Codecs.H265;
using LiveRelay.Formats.Tests.Ts;
using Xunit.Abstractions;

namespace LiveRelay.Formats.Tests.Fuzzing;

/// <summary>
/// The LiveRelay.Codecs parsers the formats use: H.264 and H.265 SPS, AVC and HEVC decoder configuration records,
/// AudioSpecificConfig, ADTS headers and the Annex B ⇄ length-prefixed conversions. Every one documents that it
/// returns false and never throws. Vectors: libx264/libx265 output, as in LiveRelay.Codecs.Tests.
/// </summary>
public sealed class CodecFuzzTests(ITestOutputHelper output)
{
    private const int MaxDimension = 32_768;

    private static readonly byte[][] s_bitTokens = [[0x00, 0x00, 0x03], [0x00, 0x00, 0x00], [0xFF, 0xFF, 0xFF, 0xFF], [0x80], [0x00, 0x01], [0x01]];

    // The parameter set parsers read bits in place: nothing is allocated per input.
    internal static FuzzTarget H264SpsTarget => new()
    {
        Name = "H264SpsInfo.TryParse",
        Index = 20,
        Seeds =
        [
            TsTestData.Sps, TsTestData.BaselineSps, Hex("67640028acd940780227e5c04400000fa40003a9803c60c658"),
            Hex("67640028acd94078044fde0220000003002000000643e2c5b2c0"), Hex("67f4001e919b281b07bc5f80880000030008000003018078b16cb0"),
            Hex("6764000aacd942c4ec0440000003004000000783c4896580"), Convert.FromBase64String("Z00AKp2oHgCJ+WbgICAgQA=="),
        ],
        Iterations = 20_000,
        Parse = input => H264SpsInfo.TryParse(input, out var sps) && Sized(sps.Width, sps.Height),
        AllocationPerByte = 0,
        AllocationSlack = 4096,
        Dictionary = s_bitTokens,
        Corpus = Corpus.H264Sps,
    };

    internal static FuzzTarget H265SpsTarget => new()
    {
        Name = "H265SpsInfo.TryParse",
        Index = 21,
        Seeds =
        [
            TsHevcTestData.Sps, Hex("42010102200000030090000003000003003ca00a080b9f6d96566924caf0168080000003008000000c84"),
            Hex("4201010408000003009e0800000300003c90014101e2cb2b349265780b4040000003004000000642"),
            Hex("42010201600000030090000003000003003c0000a00b080485965652b2c9265780b4040000030004000003006420"),
            Hex("420101016000000300900000030000030078a003c08010e596566924caf0168080000003008000000cb00e682f0007a12000f42440"),
        ],
        Iterations = 20_000,
        Parse = input => H265SpsInfo.TryParse(input, out var sps) && Sized(sps.Width, sps.Height),
        AllocationPerByte = 0,
        AllocationSlack = 4096,
        Dictionary = s_bitTokens,
        Corpus = Corpus.H265Sps,
    };

    // The records copy the bytes they cover once, and hold one small array per parameter set.
    internal static FuzzTarget AvcTarget => new()
    {
        Name = "AvcDecoderConfiguration.TryParse",
        Index = 22,
        Seeds =
        [
            TsTestData.AvcC, TsDemuxerTestStream.BaselineAvcC,
            Hex("01f4001effe1001b67f4001e919b281b07bc5f80880000030008000003018078b16cb001000868ebe3c44c000440fff8f800"),
            [0x01, 0x42, 0xC0, 0x1E, 0xFD, 0xE2, .. Sized16(TsTestData.BaselineSps), .. Sized16(TsTestData.Sps), 0x02, .. Sized16(TsTestData.Pps), .. Sized16(TsTestData.BaselinePps)],
        ],
        Iterations = 20_000,
        Parse = ParseAvc,
        Corpus = Corpus.AvcDecoderConfiguration,
    };

    internal static FuzzTarget HevcTarget => new()
    {
        Name = "HevcDecoderConfiguration.TryParse",
        Index = 23,
        Seeds =
        [
            TsHevcTestData.HvcC,
            Hex("0104080000009e08000000003cf000fcfff8f800000f03a00001001740010c01ffff0408000003009e0800000300003c959809"
                + "a1000100284201010408000003009e0800000300003c90014101e2cb2b349265780b4040000003004000000642a2000100084401c172860c4624"),
            [.. TsHevcTestData.HvcC[..22], 0x04, .. TsHevcTestData.HvcC[23..], 0x27, 0x00, 0x01, 0x00, 0x04, 0x4E, 0x01, 0x05, 0x80], // + a prefix SEI array
        ],
        Iterations = 20_000,
        Parse = ParseHevc,
        Corpus = Corpus.HevcDecoderConfiguration,
    };

    internal static FuzzTarget AscTarget => new()
    {
        Name = "AudioSpecificConfig.TryParse",
        Index = 24,
        Seeds =
        [
            [0x12, 0x10], [0x11, 0x90], [0x14, 0x08], AudioSpecificConfig.Build(2, 44100, 8), AudioSpecificConfig.Build(2, 37800, 2),
            AudioSpecificConfig.Build(42, 48000, 1), [0x2B, 0x11, 0x88, 0x00], [0xEB, 0x09, 0x88, 0x00],
        ],
        Iterations = 20_000,
        Parse = input => AudioSpecificConfig.TryParse(input, out var asc) && (asc.SampleRate > 0 && asc.ObjectType > 0
            ? true
            : throw Fuzz.PropertyBroken($"accepted {asc}")),
        AllocationPerByte = 0,
        AllocationSlack = 4096,
        Corpus = Corpus.AudioSpecificConfig,
    };

    // Adts.TryParseHeader over a stream of frames, as the TS demuxer walks a PES.
    internal static FuzzTarget AdtsTarget => new()
    {
        Name = "Adts.TryParseHeader",
        Index = 25,
        Seeds = [AdtsStream(crc: false, 40, 7, 300), AdtsStream(crc: true, 90, 1), AdtsStream(crc: false, 0, 5)],
        Iterations = 20_000,
        Parse = ParseAdts,
        AllocationPerByte = 0,
        AllocationSlack = 4096,
        Corpus = Corpus.Adts,
    };

    // The conversions write at most the input plus start codes, delimiters and the record's parameter sets.
    internal static FuzzTarget AnnexBTarget => new()
    {
        Name = "H264Nal/H265Nal Annex B conversions",
        Index = 26,
        Seeds =
        [
            TsTestData.AnnexB([0x09, 0xF0], TsTestData.BaselineSps, TsTestData.BaselinePps, TsTestData.IdrSlice(80)),
            [0x00, 0x00, 0x01, .. TsTestData.NonIdrSlice(40), 0x00, 0x00, 0x01, .. TsTestData.NonIdrSlice(30), 0x00, 0x00],
            TsTestData.AnnexB(TsHevcTestData.Aud, TsHevcTestData.Vps, TsHevcTestData.Sps, TsHevcTestData.Pps, TsHevcTestData.IdrSlice(70)),
            TsTestData.Avcc(TsTestData.IdrSlice(50), TsTestData.NonIdrSlice(20)),
        ],
        Iterations = 20_000,
        Parse = ParseAnnexB,
        Dictionary = [[0x00, 0x00, 0x01], [0x00, 0x00, 0x00, 0x01], [0x09, 0xF0], [0x46, 0x01, 0x50], [0x65], [0x26, 0x01], [0x00, 0x00, 0x00]],
        Corpus = Corpus.AnnexB,
    };

    private static readonly Lazy<AvcDecoderConfiguration> s_avc = new(() =>
        AvcDecoderConfiguration.TryParse(TsDemuxerTestStream.BaselineAvcC, out var config) ? config! : throw new InvalidOperationException("bad avcC"));

    private static readonly Lazy<HevcDecoderConfiguration> s_hevc = new(() =>
        HevcDecoderConfiguration.TryParse(TsHevcTestData.HvcC, out var config) ? config! : throw new InvalidOperationException("bad hvcC"));

    [Fact]
    public void TryParse_MutatedH264Sps_NeverThrows() => Fuzz.Run(H264SpsTarget, output);

    [Fact]
    public void TryParse_MutatedH265Sps_NeverThrows() => Fuzz.Run(H265SpsTarget, output);

    [Fact]
    public void TryParse_MutatedAvcDecoderConfiguration_NeverThrows() => Fuzz.Run(AvcTarget, output);

    [Fact]
    public void TryParse_MutatedHevcDecoderConfiguration_NeverThrows() => Fuzz.Run(HevcTarget, output);

    [Fact]
    public void TryParse_MutatedAudioSpecificConfig_NeverThrows() => Fuzz.Run(AscTarget, output);

    [Fact]
    public void TryParseHeader_MutatedAdtsStream_NeverThrows() => Fuzz.Run(AdtsTarget, output);

    [Fact]
    public void TryConvertAnnexBToAvcc_MutatedAccessUnit_NeverThrows() => Fuzz.Run(AnnexBTarget, output);

    private static bool Sized(int width, int height) =>
        width is > 0 and <= MaxDimension && height is > 0 and <= MaxDimension
            ? true
            : throw Fuzz.PropertyBroken($"an SPS accepted with a {width}x{height} picture");

    private static bool ParseAvc(byte[] input)
    {
        if (!AvcDecoderConfiguration.TryParse(input, out var config))
        {
            return false;
        }

        if (config is null || config.NalUnitLengthSize is not (1 or 2 or 4) || config.Sps.Concat(config.Pps).Any(p => p.IsEmpty))
        {
            throw Fuzz.PropertyBroken($"accepted {config}");
        }

        _ = config.CodecString;
        foreach (var sps in config.Sps)
        {
            _ = H264SpsInfo.TryParse(sps.Span, out _);
        }

        // The record as the TS and RTMP writers use it: parameter sets before an IDR access unit.
        var annexB = new ArrayBufferWriter<byte>();
        _ = H264Nal.TryWriteAnnexB(TsTestData.Avcc(TsTestData.IdrSlice(20)), 4, config, annexB);
        return true;
    }

    private static bool ParseHevc(byte[] input)
    {
        if (!HevcDecoderConfiguration.TryParse(input, out var config))
        {
            return false;
        }

        if (config is null || config.NalUnitLengthSize is not (1 or 2 or 4) || config.Vps.Concat(config.Sps).Concat(config.Pps).Any(p => p.IsEmpty))
        {
            throw Fuzz.PropertyBroken($"accepted {config}");
        }

        _ = config.CodecString;
        foreach (var sps in config.Sps)
        {
            _ = H265SpsInfo.TryParse(sps.Span, out _);
        }

        var annexB = new ArrayBufferWriter<byte>();
        _ = H265Nal.TryWriteAnnexB(TsTestData.Avcc(TsHevcTestData.IdrSlice(20)), 4, config, annexB);
        return true;
    }

    private static bool ParseAdts(byte[] input)
    {
        ReadOnlySpan<byte> rest = input;
        var frames = 0;
        while (!rest.IsEmpty)
        {
            if (!Adts.TryParseHeader(rest, out var header) || header.FrameLength > rest.Length)
            {
                return false;
            }

            if (header.HeaderLength is not (7 or 9) || header.FrameLength < header.HeaderLength || header.SampleRate <= 0 || header.PayloadLength < 0)
            {
                throw Fuzz.PropertyBroken($"accepted {header}");
            }

            _ = header.ToAudioSpecificConfig().CodecString;
            rest = rest[header.FrameLength..];
            frames++;
        }

        return frames > 0;
    }

    private static bool ParseAnnexB(byte[] input)
    {
        var avcc = new ArrayBufferWriter<byte>();
        var ok = H264Nal.TryConvertAnnexBToAvcc(input, avcc);
        CheckLengthPrefixed(avcc.WrittenSpan);
        var hvcc = new ArrayBufferWriter<byte>();
        ok &= H265Nal.TryConvertAnnexBToHvcc(input, hvcc);
        CheckLengthPrefixed(hvcc.WrittenSpan);

        // And back, with the input itself taken as a length-prefixed access unit of each length size.
        var annexB = new ArrayBufferWriter<byte>();
        for (var lengthSize = 1; lengthSize <= 4; lengthSize++)
        {
            annexB.ResetWrittenCount();
            ok |= H264Nal.TryWriteAnnexB(input, lengthSize, s_avc.Value, annexB) | H264Nal.ContainsIdr(input, lengthSize);
            annexB.ResetWrittenCount();
            ok |= H265Nal.TryWriteAnnexB(input, lengthSize, s_hevc.Value, annexB) | H265Nal.ContainsIrap(input, lengthSize);
        }

        _ = H264Nal.TryWriteAnnexB(avcc.WrittenSpan, 4, null, annexB);
        return ok;
    }

    /// <summary>The conversions write 4-byte lengths of non-empty NAL units that tile the output exactly.</summary>
    private static void CheckLengthPrefixed(ReadOnlySpan<byte> written)
    {
        while (!written.IsEmpty)
        {
            var length = written.Length >= 4 ? BinaryPrimitives.ReadInt32BigEndian(written) : -1;
            if (length < 1 || length > written.Length - 4)
            {
                throw Fuzz.PropertyBroken($"a NAL unit length of {length} with {written.Length} bytes written");
            }

            written = written[(4 + length)..];
        }
    }

    private static byte[] AdtsStream(bool crc, params int[] rawLengths)
    {
        var config = new AudioSpecificConfig(AudioSpecificConfig.AacLc, 4, 44100, 2);
        var stream = new List<byte>();
        foreach (var length in rawLengths)
        {
            var header = new byte[Adts.HeaderWithCrcLength];
            Adts.WriteHeader(header, config, length + (crc ? 2 : 0));
            if (crc)
            {
                header[1] &= 0xFE; // protection_absent 0: a 16-bit CRC follows the 7 bytes
                header[7] = 0x12;
                header[8] = 0x34;
            }

            stream.AddRange(header.AsSpan(0, crc ? Adts.HeaderWithCrcLength : Adts.HeaderLength).ToArray());
            stream.AddRange(TsDemuxerTestStream.RawAac(length, length));
        }

        return [.. stream];
    }

    private static byte[] Hex(string hex) => Convert.FromHexString(hex);

    private static byte[] Sized16(byte[] nal) => [(byte)(nal.Length >> 8), (byte)nal.Length, .. nal];
}
