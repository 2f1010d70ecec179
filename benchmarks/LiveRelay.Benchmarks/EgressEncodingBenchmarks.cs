using BenchmarkDotNet.Attributes;
using LiveRelay.Core.Media;
using LiveRelay.Protocols.Http.Flv;
using LiveRelay.Protocols.Rtmp.Session;

namespace LiveRelay.Benchmarks;

/// <summary>
/// The once-per-frame serializations shared by every reader: RTMP chunks (chunk size 4096) and an
/// FLV tag. Each call builds a fresh frame so the cached form is made every time.
/// </summary>
[MemoryDiagnoser]
public class EgressEncodingBenchmarks
{
    private byte[] _payload = [];

    [GlobalSetup]
    public void Setup() => _payload = SampleMedia.VideoPayload(13_000, keyframe: false);

    [Benchmark]
    public int RtmpChunks()
    {
        var frame = MediaFrame.Copy(SampleMedia.Video, _payload, 3600, 7200, false);
        var length = frame.GetEncoded<RtmpFrameEncoder>().Length;
        frame.Release();
        return length;
    }

    [Benchmark]
    public int FlvTag()
    {
        var frame = MediaFrame.Copy(SampleMedia.Video, _payload, 3600, 7200, false);
        var length = frame.GetEncoded<FlvTagEncoder>().Length;
        frame.Release();
        return length;
    }
}
