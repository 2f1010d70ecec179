using LiveRelay.Core.Media;

namespace LiveRelay.Protocols.Rtsp.Tests;

/// <summary>One frame as an assembler handed it out, copied before the pooled frame was released.</summary>
internal sealed record ReceivedFrame(TrackInfo Track, long Dts, long Pts, bool IsKeyframe, byte[] Payload);

/// <summary>Collects an assembler's frames; releases each (the callback owns the frame's reference).</summary>
internal sealed class FrameSink
{
    public List<ReceivedFrame> Frames { get; } = [];

    public void OnFrame(TrackInfo track, MediaFrame frame)
    {
        Assert.Same(track, frame.Track);
        Frames.Add(new ReceivedFrame(track, frame.Dts, frame.Pts, frame.IsKeyframe, frame.Payload.ToArray()));
        frame.Release();
    }
}
