using System.Buffers;
using BenchmarkDotNet.Attributes;
using LiveRelay.Core.Media;
using LiveRelay.Formats.Ts;

namespace LiveRelay.Benchmarks;

/// <summary>MPEG-TS muxing as the HLS segmenter does it: Annex B conversion, PES, PCR, 188-byte packets.</summary>
[MemoryDiagnoser]
public class TsMuxerBenchmarks
{
    private TsMuxer _muxer = null!;
    private MediaFrame _video = null!;
    private MediaFrame _keyframe = null!;
    private MediaFrame _audio = null!;
    private readonly ArrayBufferWriter<byte> _output = new(256 * 1024);

    [GlobalSetup]
    public void Setup()
    {
        _muxer = new TsMuxer(SampleMedia.Video, SampleMedia.Audio);
        _video = SampleMedia.VideoFrame(40, 13_000);
        _keyframe = SampleMedia.VideoFrame(80, 60_000, keyframe: true);
        _audio = SampleMedia.AudioFrame(40);
        _muxer.WriteTables(_output);
        _muxer.WriteFrame(_keyframe, _output); // warm the scratch buffers
    }

    /// <summary>One 13 kB inter frame (a 2.6 Mbit/s stream's typical frame).</summary>
    [Benchmark]
    public int VideoFrame()
    {
        _output.ResetWrittenCount();
        _muxer.WriteFrame(_video, _output);
        return _output.WrittenCount;
    }

    /// <summary>One 60 kB IDR frame (SPS/PPS inserted, random access flagged).</summary>
    [Benchmark]
    public int Keyframe()
    {
        _output.ResetWrittenCount();
        _muxer.WriteFrame(_keyframe, _output);
        return _output.WrittenCount;
    }

    /// <summary>One AAC frame with its ADTS header.</summary>
    [Benchmark]
    public int AudioFrame()
    {
        _output.ResetWrittenCount();
        _muxer.WriteFrame(_audio, _output);
        return _output.WrittenCount;
    }
}
