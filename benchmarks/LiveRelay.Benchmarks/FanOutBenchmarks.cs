using BenchmarkDotNet.Attributes;
using LiveRelay.Core.Media;
using LiveRelay.Core.Streams;

namespace LiveRelay.Benchmarks;

/// <summary>
/// The publish path: one frame offered to N readers' queues, then every reader drains it and takes the
/// shared serialization (what RTMP play does), as the server does per frame.
/// </summary>
[MemoryDiagnoser]
public class FanOutBenchmarks
{
    private StreamHub _hub = null!;
    private StreamPublisher _publisher = null!;
    private MediaReader[] _readers = [];
    private byte[] _payload = [];
    private long _ms;

    [Params(1, 100, 400)]
    public int Readers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _hub = new StreamHub(new StreamOptions(), TimeProvider.System);
        _hub.TryPublish("bench/fanout", new PublisherInfo("bench", null), out var publisher);
        _publisher = publisher!;
        var stream = _hub.Find("bench/fanout")!;
        _readers = Enumerable.Range(0, Readers).Select(i => stream.Subscribe("rtmp", $"reader{i}")).ToArray();
        _payload = SampleMedia.VideoPayload(13_000, keyframe: false);
        _publisher.Write(MediaFrame.Copy(SampleMedia.Video, SampleMedia.VideoPayload(60_000, true), 0, 0, true));
        Drain();
    }

    [GlobalCleanup]
    public void Cleanup() => _hub.Dispose();

    /// <summary>One 13 kB frame published and delivered to every reader (per-frame cost of the whole path).</summary>
    [Benchmark]
    public int PublishAndDeliver()
    {
        _ms += 40;
        var frame = MediaFrame.Copy(SampleMedia.Video, _payload, MediaClock.FromMilliseconds(_ms), MediaClock.FromMilliseconds(_ms), false);
        _publisher.Write(frame);
        return Drain();
    }

    private int Drain()
    {
        var bytes = 0;
        foreach (var reader in _readers)
        {
            while (reader.TryRead(out var frame))
            {
                bytes += frame.GetEncoded<SharedChunks>().Length;
                frame.Release();
            }
        }

        return bytes;
    }

    /// <summary>Stands in for the RTMP serialization: a pooled copy of the payload.</summary>
    private sealed class SharedChunks : IFrameEncoder
    {
        public static EncodingSlot Slot { get; } = EncodingSlot.Allocate();

        public static LiveRelay.Core.Buffers.MediaBuffer Encode(MediaFrame frame) => LiveRelay.Core.Buffers.MediaBuffer.CopyOf(frame.Payload.Span);
    }
}
