using BenchmarkDotNet.Attributes;
using LiveRelay.Core.Media;
using LiveRelay.Core.Streams;
using LiveRelay.Newsroom.Switching;
using Microsoft.Extensions.Logging.Abstractions;

namespace LiveRelay.Benchmarks;

/// <summary>
/// The program path: a frame published on the on-air source, read by the switcher, re-timed (shared
/// payload) and published into the program, then taken by one program reader. Measured per frame,
/// against the same frame published on a stream directly (the difference is the switcher's cost).
/// </summary>
[MemoryDiagnoser]
public class ProgramSwitcherBenchmarks
{
    private readonly DateTimeOffset _now = DateTimeOffset.UnixEpoch;
    private StreamHub _hub = null!;
    private SlateLibrary _slates = null!;
    private ProgramSwitcher _switcher = null!;
    private StreamPublisher _source = null!;
    private MediaReader _programReader = null!;
    private byte[] _payload = [];
    private string _slateDirectory = "";
    private long _ms;

    [GlobalSetup]
    public void Setup()
    {
        _hub = new StreamHub(new StreamOptions(), TimeProvider.System);
        _hub.TryPublish("live/cam1", new PublisherInfo("bench", null), out var source);
        _source = source!;
        _source.SetTrack(SampleMedia.Video);
        _slateDirectory = Directory.CreateTempSubdirectory("liverelay-bench-").FullName;
        _slates = new SlateLibrary(_slateDirectory, null, NullLogger<SlateLibrary>.Instance);
        _switcher = new ProgramSwitcher("program/bench", _hub, _slates, new ProgramOptions(), TimeProvider.System, null, NullLogger.Instance);
        _programReader = _hub.Find("program/bench")!.Subscribe("rtmp", "reader");
        _payload = SampleMedia.VideoPayload(13_000, keyframe: false);
        if (_switcher.Take("live/cam1", null) is { } error)
        {
            throw new InvalidOperationException(error);
        }

        _switcher.Pump(_now);
        _ms = 40;
        _source.Write(MediaFrame.Copy(SampleMedia.Video, SampleMedia.VideoPayload(60_000, true), MediaClock.FromMilliseconds(_ms), MediaClock.FromMilliseconds(_ms), true));
        _switcher.Pump(_now);
        Drain();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _switcher.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _hub.Dispose();
        _slates.Dispose();
        Directory.Delete(_slateDirectory, recursive: true);
    }

    /// <summary>One 13 kB frame through source → switcher → program → one reader.</summary>
    [Benchmark]
    public int ThroughProgram()
    {
        _ms += 40;
        _source.Write(MediaFrame.Copy(SampleMedia.Video, _payload, MediaClock.FromMilliseconds(_ms), MediaClock.FromMilliseconds(_ms), false));
        _switcher.Pump(_now);
        return Drain();
    }

    private int Drain()
    {
        var bytes = 0;
        while (_programReader.TryRead(out var frame))
        {
            bytes += frame.PayloadLength;
            frame.Release();
        }

        return bytes;
    }
}
