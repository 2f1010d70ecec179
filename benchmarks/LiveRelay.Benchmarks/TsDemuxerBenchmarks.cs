using System.Buffers;
using BenchmarkDotNet.Attributes;
using LiveRelay.Core.Media;
using LiveRelay.Formats.Ts;

namespace LiveRelay.Benchmarks;

/// <summary>SRT/TS ingest: demuxing one second of a 2.6 Mbit/s H.264/AAC transport stream, fed in 1316-byte SRT messages.</summary>
[MemoryDiagnoser]
public class TsDemuxerBenchmarks
{
    private byte[] _oneSecond = [];
    private int _frames;

    [GlobalSetup]
    public void Setup()
    {
        var muxer = new TsMuxer(SampleMedia.Video, SampleMedia.Audio);
        var output = new ArrayBufferWriter<byte>();
        muxer.WriteTables(output);
        for (var i = 0; i < 25; i++)
        {
            var video = SampleMedia.VideoFrame(i * 40, i == 0 ? 60_000 : 13_000, keyframe: i == 0);
            var audio = SampleMedia.AudioFrame(i * 40);
            muxer.WriteFrame(video, output);
            muxer.WriteFrame(audio, output);
            video.Release();
            audio.Release();
        }

        _oneSecond = output.WrittenSpan.ToArray();
    }

    [Benchmark]
    public int DemuxOneSecond()
    {
        _frames = 0;
        var demuxer = new TsDemuxer(OnFrame);
        for (var offset = 0; offset < _oneSecond.Length; offset += 1316)
        {
            demuxer.Push(_oneSecond.AsSpan(offset, Math.Min(1316, _oneSecond.Length - offset)));
        }

        demuxer.Flush();
        return _frames;
    }

    private void OnFrame(TrackInfo track, MediaFrame frame)
    {
        _frames++;
        frame.Release();
    }
}
