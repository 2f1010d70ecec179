using System.Buffers;
using BenchmarkDotNet.Attributes;
using LiveRelay.Formats.Flv;

namespace LiveRelay.Benchmarks;

/// <summary>FLV: reading one second of tags (HTTP-FLV pulls, players) and writing a tag header.</summary>
[MemoryDiagnoser]
public class FlvBenchmarks
{
    private byte[] _oneSecond = [];
    private readonly byte[] _header = new byte[FlvTag.HeaderLength];

    [GlobalSetup]
    public void Setup()
    {
        var writer = new ArrayBufferWriter<byte>();
        var video = SampleMedia.VideoPayload(13_000, keyframe: false);
        var body = new byte[5 + video.Length];
        FlvVideoHeader.WriteAvc(body, keyframe: false, sequenceHeader: false, compositionTimeMs: 80);
        video.CopyTo(body, 5);
        var audio = new byte[372];
        FlvAudioHeader.WriteAacHeader(audio, sequenceHeader: false);
        for (var i = 0; i < 25; i++)
        {
            FlvTag.WriteTag(writer, FlvTagType.Video, i * 40, body);
            FlvTag.WriteTag(writer, FlvTagType.Audio, i * 40, audio);
        }

        _oneSecond = writer.WrittenSpan.ToArray();
    }

    /// <summary>Reads 50 tags (one second of a 2.6 Mbit/s stream) and parses each body header.</summary>
    [Benchmark]
    public int ReadOneSecond()
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(_oneSecond));
        var keyframes = 0;
        while (FlvTag.TryReadTag(ref reader, 1 << 20, out var header, out var body))
        {
            var first = body.FirstSpan;
            if (header.Type == FlvTagType.Video && FlvVideoHeader.TryParse(first, out var video) && video.IsKeyframe)
            {
                keyframes++;
            }
            else if (header.Type == FlvTagType.Audio)
            {
                FlvAudioHeader.TryParse(first, out _);
            }
        }

        return keyframes;
    }

    [Benchmark]
    public int WriteTagHeader()
    {
        FlvTag.WriteHeader(_header, FlvTagType.Video, 13_005, 123_456);
        return _header[0];
    }
}
