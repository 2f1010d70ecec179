using System.Buffers;
using BenchmarkDotNet.Attributes;
using LiveRelay.Protocols.Rtmp.Chunks;

namespace LiveRelay.Benchmarks;

/// <summary>RTMP chunk stream: reassembling what a publisher sends, and chunking a frame once for every reader.</summary>
[MemoryDiagnoser]
public class RtmpChunkBenchmarks
{
    private byte[] _oneSecond = [];
    private byte[] _frame = [];
    private ArrayBufferWriter<byte> _output = new();

    /// <summary>Chunk size the publisher uses (OBS and ffmpeg send 4096).</summary>
    [Params(128, 4096)]
    public int ChunkSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _frame = SampleMedia.VideoPayload(13_000, keyframe: false);
        var writer = new ArrayBufferWriter<byte>();
        byte[] size = [(byte)(ChunkSize >> 24), (byte)(ChunkSize >> 16), (byte)(ChunkSize >> 8), (byte)ChunkSize];
        RtmpChunkWriter.WriteMessage(writer, 2, RtmpMessageType.SetChunkSize, 0, 0, default, size, 128);
        for (var i = 0; i < 25; i++)
        {
            RtmpChunkWriter.WriteMessage(writer, 6, RtmpMessageType.Video, 1, (uint)(i * 40), default, _frame, ChunkSize);
            RtmpChunkWriter.WriteMessage(writer, 4, RtmpMessageType.Audio, 1, (uint)(i * 40), default, _frame.AsSpan(0, 370), ChunkSize);
        }

        _oneSecond = writer.WrittenSpan.ToArray();
        _output = new ArrayBufferWriter<byte>(64 * 1024);
    }

    /// <summary>Reassembles one second of a 2.6 Mbit/s publish (25 video + 25 audio messages).</summary>
    [Benchmark]
    public int ReadOneSecond()
    {
        using var reader = new RtmpChunkReader();
        var input = new SequenceReader<byte>(new ReadOnlySequence<byte>(_oneSecond));
        var count = 0;
        while (reader.TryReadMessage(ref input, out var message))
        {
            message.Payload.Release();
            count++;
        }

        return count;
    }

    /// <summary>Chunks one 13 kB video frame.</summary>
    [Benchmark]
    public int WriteFrame()
    {
        _output.ResetWrittenCount();
        RtmpChunkWriter.WriteMessage(_output, 6, RtmpMessageType.Video, 1, 123_456, [0x27, 1, 0, 0, 0], _frame, ChunkSize);
        return _output.WrittenCount;
    }
}
