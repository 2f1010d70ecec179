using System.Buffers;
using System.Text;
using LiveRelay.Core.Buffers;
using LiveRelay.Formats.Amf;
using LiveRelay.Formats.Flv;
using LiveRelay.Formats.Media;
using LiveRelay.Formats.Tests.Ts;
using Xunit.Abstractions;

namespace LiveRelay.Formats.Tests.Fuzzing;

/// <summary>AMF 0, FLV headers and tags, and the FLV → media model reader under mutated input.</summary>
public sealed class AmfFlvFuzzTests(ITestOutputHelper output)
{
    /// <summary>The caller's DataSize limit the FLV tag reader is given.</summary>
    private const int MaxTagSize = 64 * 1024;

    private static readonly byte[][] s_amfTokens =
    [
        [0x00], [0x02, 0x00], [0x03], [0x08, 0x00, 0x00, 0x00, 0x01], [0x0A, 0x7F, 0xFF, 0xFF, 0xFF], [0x00, 0x00, 0x09],
        [0x0B, 0x7F, 0xF0, 0, 0, 0, 0, 0, 0, 0, 0], [0x0C, 0xFF, 0xFF, 0xFF, 0xFF], [0x11], [0x07, 0x00, 0x01], [0x10],
        [0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03],
    ];

    private static readonly byte[][] s_flvTokens =
    [
        "FLV"u8.ToArray(), [0x09, 0x00, 0x00, 0x05], [0x08, 0x00, 0x00, 0x02], [0x12], [0x29], [0x17, 0x00], [0x17, 0x01], [0x1C, 0x00],
        [0xAF, 0x00], [0xAF, 0x01], [0x90, 0x68, 0x76, 0x63, 0x31], [0x91, 0x61, 0x76, 0x31, 0x30], [0xFF, 0xFF, 0xFF],
    ];

    // Amf0Reader documents AmfFormatException only and never allocates from a declared length: 64× the input
    // (strings become UTF-16, every value a boxed object) plus 1 MiB is far above a correct reader.
    internal static FuzzTarget Amf0Target => new()
    {
        Name = "Amf0Reader",
        Index = 1,
        Seeds = AmfSeeds(),
        Iterations = 20_000,
        Parse = ParseAmf,
        IsDocumented = e => e is AmfFormatException,
        Dictionary = s_amfTokens,
        Corpus = Corpus.Amf0Reader,
    };

    // FlvHeader.TryRead and FlvTag.TryReadTag document FlvFormatException; the tag body parsers never throw.
    internal static FuzzTarget FlvFileTarget => new()
    {
        Name = "FlvHeader/FlvTag/tag body headers",
        Index = 2,
        Seeds = [FlvFile(audio: true, video: true), FlvFile(audio: false, video: true), FlvFile(audio: true, video: false)],
        Iterations = 15_000,
        Parse = ParseFlvFile,
        IsDocumented = e => e is FlvFormatException,
        Dictionary = s_flvTokens,
        Corpus = Corpus.FlvFile,
    };

    // FlvMediaReader documents no exception: problems come back as Ignored with a reason. The tags are framed with
    // FlvTag (whose FlvFormatException ends the input); the reader copies each sequence header once.
    internal static FuzzTarget FlvMediaTarget => new()
    {
        Name = "FlvMediaReader.Read",
        Index = 3,
        Seeds = [FlvTags(audio: true, video: true, hevc: false), FlvTags(audio: false, video: true, hevc: true), FlvTags(audio: true, video: false, hevc: false)],
        Iterations = 15_000,
        Parse = ParseFlvMedia,
        Dictionary = s_flvTokens,
        Corpus = Corpus.FlvMediaReader,
    };

    [Fact]
    public void ReadValue_MutatedAmf0_ThrowsOnlyAmfFormatException() => Fuzz.Run(Amf0Target, output);

    [Fact]
    public void TryReadTag_MutatedFlvFile_ThrowsOnlyFlvFormatException() => Fuzz.Run(FlvFileTarget, output);

    [Fact]
    public void Read_MutatedFlvTags_NeverThrows() => Fuzz.Run(FlvMediaTarget, output);

    private static bool ParseAmf(byte[] input)
    {
        // The RTMP command shape first: name, transaction id, command object (typed reads).
        try
        {
            var typed = new Amf0Reader(input);
            _ = typed.ReadString();
            _ = typed.ReadNumber();
            if (!typed.End && typed.Remaining[0] is 0x03 or 0x08)
            {
                Touch(typed.ReadObject());
            }
        }
        catch (AmfFormatException)
        {
        }

        _ = FlvScriptData.TryReadScriptData(input, out _, out var data); // documented never to throw
        Touch(data);

        var reader = new Amf0Reader(input);
        while (!reader.End)
        {
            var before = reader.Consumed;
            Touch(reader.ReadValue());
            if (reader.Consumed <= before)
            {
                throw Fuzz.PropertyBroken("ReadValue returned without consuming a byte");
            }
        }

        return true;
    }

    /// <summary>Walks a decoded value the way a command handler would.</summary>
    private static void Touch(object? value)
    {
        switch (value)
        {
            case AmfObject o:
                _ = o.ToString();
                _ = o.TryGetString("app", out _) | o.TryGetNumber("width", out _) | o.TryGetBoolean("fpad", out _);
                foreach (var (_, item) in o)
                {
                    Touch(item);
                }

                break;
            case List<object?> list:
                foreach (var item in list)
                {
                    Touch(item);
                }

                break;
        }
    }

    private static bool ParseFlvFile(byte[] input)
    {
        if (!FlvHeader.TryRead(input, out _, out _, out var dataOffset) || (long)dataOffset + FlvTag.PreviousTagSizeLength > input.Length)
        {
            return false;
        }

        var sequence = Fuzz.Segmented(input, 1 + input.Length % 97).Slice(dataOffset + FlvTag.PreviousTagSizeLength);
        var reader = new SequenceReader<byte>(sequence);
        while (!reader.End)
        {
            var before = reader.Consumed;
            if (!FlvTag.TryReadTag(ref reader, MaxTagSize, out var header, out var body))
            {
                if (reader.Consumed != before)
                {
                    throw Fuzz.PropertyBroken($"TryReadTag returned false but consumed {reader.Consumed - before} bytes");
                }

                return false;
            }

            if (reader.Consumed - before != FlvTag.HeaderLength + header.DataSize + FlvTag.PreviousTagSizeLength || body.Length != header.DataSize)
            {
                throw Fuzz.PropertyBroken($"a tag of DataSize {header.DataSize} consumed {reader.Consumed - before} bytes with a {body.Length}-byte body");
            }

            var bytes = body.ToArray();
            switch (header.Type)
            {
                case FlvTagType.Video:
                    if (FlvVideoHeader.TryParse(bytes, out var video) && video.HeaderLength > bytes.Length)
                    {
                        throw Fuzz.PropertyBroken($"a video header of {video.HeaderLength} bytes in a {bytes.Length}-byte body");
                    }

                    break;
                case FlvTagType.Audio:
                    if (FlvAudioHeader.TryParse(bytes, out var audio) && audio.HeaderLength > bytes.Length)
                    {
                        throw Fuzz.PropertyBroken($"an audio header of {audio.HeaderLength} bytes in a {bytes.Length}-byte body");
                    }

                    break;
                default:
                    _ = FlvScriptData.TryReadScriptData(bytes, out _, out _);
                    break;
            }
        }

        return true;
    }

    private static bool ParseFlvMedia(byte[] input)
    {
        var media = new FlvMediaReader();
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(input));
        var published = 0;
        while (!reader.End)
        {
            FlvTagHeader header;
            ReadOnlySequence<byte> body;
            try
            {
                if (!FlvTag.TryReadTag(ref reader, MaxTagSize, out header, out body))
                {
                    break;
                }
            }
            catch (FlvFormatException)
            {
                break; // the framing's documented error; the tags before it were read
            }

            var buffer = MediaBuffer.CopyOf(body.IsSingleSegment ? body.FirstSpan : body.ToArray());
            var result = media.Read(header.Type, buffer, (uint)header.TimestampMs, out var frame, out var track, out _);
            if (result == FlvMediaResult.Frame)
            {
                if (frame is null || frame.PayloadLength > buffer.Length)
                {
                    throw Fuzz.PropertyBroken("Read returned Frame without a frame inside the tag body");
                }

                frame.Release(); // the frame took over the buffer's reference
                published++;
            }
            else
            {
                if (result == FlvMediaResult.TrackChanged && track is null)
                {
                    throw Fuzz.PropertyBroken("Read returned TrackChanged without a track");
                }

                buffer.Release();
            }
        }

        return published > 0;
    }

    private static byte[][] AmfSeeds()
    {
        var connect = new AmfObject
        {
            { "app", "live" }, { "flashVer", "FMLE/3.0 (compatible; FMSc/1.0)" }, { "swfUrl", "rtmp://localhost/live" },
            { "tcUrl", "rtmp://localhost/live" }, { "fpad", false }, { "capabilities", 239.0 }, { "audioCodecs", 3575.0 },
            { "videoCodecs", 252.0 }, { "videoFunction", 1.0 }, { "objectEncoding", 0.0 },
        };
        var status = new AmfObject { { "level", "status" }, { "code", "NetStream.Publish.Start" }, { "description", "Started publishing." } };
        var metadata = new AmfObject(isEcmaArray: true)
        {
            { "duration", 0.0 }, { "width", 1280.0 }, { "height", 720.0 }, { "framerate", 25.0 }, { "videocodecid", 7.0 },
            { "audiocodecid", 10.0 }, { "stereo", true }, { "encoder", "Lavf61.7.100" },
            { "keyframes", new AmfObject { { "times", new List<object?> { 0.0, 2.0, 4.0 } }, { "filepositions", new List<object?> { 13.0, 9000.0 } } } },
        };
        var nested = new AmfObject { { "a", new AmfObject { { "b", new AmfObject { { "c", new List<object?> { null, AmfUndefined.Value, "x" } } } } } } };
        return
        [
            AmfWrite("connect", 1.0, connect),
            AmfWrite("onStatus", 0.0, null, status),
            AmfWrite("@setDataFrame", "onMetaData", metadata),
            AmfWrite("_result", 1.0, null, new List<object?> { 1.0, true, "é ü 中" }),
            AmfWrite(new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.Zero), nested, AmfUndefined.Value),
            [0x0C, 0x00, 0x00, 0x00, 0x05, .. "hello"u8, 0x0F, 0x00, 0x00, 0x00, 0x04, .. "<a/>"u8, 0x01, 0x01],
        ];
    }

    private static byte[] AmfWrite(params object?[] values)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach (var value in values)
        {
            Amf0Writer.WriteValue(output, value);
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>An FLV file: header, onMetaData, then AVC and AAC sequence headers and a few frames.</summary>
    private static byte[] FlvFile(bool audio, bool video)
    {
        var output = new ArrayBufferWriter<byte>();
        FlvHeader.Write(output.GetSpan(FlvHeader.LengthWithFirstTagSize), audio, video);
        output.Advance(FlvHeader.LengthWithFirstTagSize);
        var script = new ArrayBufferWriter<byte>();
        FlvScriptData.WriteOnMetaData(script, new AmfObject(isEcmaArray: true) { { "width", 640.0 }, { "height", 360.0 }, { "encoder", "fuzz" } });
        FlvTag.WriteTag(output, FlvTagType.Script, 0, script.WrittenSpan);
        output.Write(FlvTags(audio, video, hevc: false));
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Tags (header, body, PreviousTagSize) as an RTMP publisher's messages would become: sequence headers first.</summary>
    private static byte[] FlvTags(bool audio, bool video, bool hevc)
    {
        var output = new ArrayBufferWriter<byte>();
        var header = new byte[FlvVideoHeader.MaxLength];
        if (video)
        {
            var config = hevc ? TsHevcTestData.HvcC : TsDemuxerTestStream.BaselineAvcC;
            var key = hevc
                ? TsTestData.Avcc(TsHevcTestData.IdrSlice(60))
                : TsTestData.Avcc(TsTestData.IdrSlice(60));
            var delta = hevc ? TsTestData.Avcc(TsHevcTestData.TrailSlice(30)) : TsTestData.Avcc(TsTestData.NonIdrSlice(30));
            byte[] Video(bool keyframe, bool sequence, int compositionTime, byte[] payload)
            {
                var length = hevc
                    ? FlvVideoHeader.WriteEnhanced(header, FlvVideoCodec.Hevc, keyframe ? FlvFrameType.Keyframe : FlvFrameType.InterFrame,
                        sequence ? FlvVideoPacketType.SequenceStart : FlvVideoPacketType.CodedFrames, compositionTime)
                    : FlvVideoHeader.WriteAvc(header, keyframe, sequence, compositionTime);
                return [.. header.AsSpan(0, length), .. payload];
            }

            FlvTag.WriteTag(output, FlvTagType.Video, 0, Video(true, true, 0, config));
            FlvTag.WriteTag(output, FlvTagType.Video, 0, Video(true, false, 80, key));
            FlvTag.WriteTag(output, FlvTagType.Video, 40, Video(false, false, -40, delta));
        }

        if (audio)
        {
            var asc = TsDemuxerTestStream.Asc44100Stereo;
            FlvAudioHeader.WriteAacHeader(header, sequenceHeader: true);
            FlvTag.WriteTag(output, FlvTagType.Audio, 0, [.. header.AsSpan(0, FlvAudioHeader.AacLength), .. asc]);
            FlvAudioHeader.WriteAacHeader(header, sequenceHeader: false);
            FlvTag.WriteTag(output, FlvTagType.Audio, 23, [.. header.AsSpan(0, FlvAudioHeader.AacLength), .. TsDemuxerTestStream.RawAac(20, 1)]);
            FlvAudioHeader.WriteG711Header(header, aLaw: true);
            FlvTag.WriteTag(output, FlvTagType.Audio, 46, [header[0], .. Encoding.ASCII.GetBytes("g711")]);
        }

        return output.WrittenSpan.ToArray();
    }
}
