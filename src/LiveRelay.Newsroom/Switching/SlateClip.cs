using LiveRelay.Core.Media;

namespace LiveRelay.Newsroom.Switching;

/// <summary>
/// A short clip the program loops while its feed is gone: frames in decode order (the first video frame
/// a keyframe), held for the life of the clip and re-timed on every pass.
/// </summary>
public sealed class SlateClip : IDisposable
{
    public SlateClip(IReadOnlyList<MediaFrame> frames, int width, int height)
    {
        if (frames.Count == 0)
        {
            throw new ArgumentException("A slate needs frames.", nameof(frames));
        }

        Frames = frames;
        Width = width;
        Height = height;
        Start = frames.Min(f => f.Dts);
        long end = 0;
        foreach (var frame in frames)
        {
            var duration = frame.Kind == MediaKind.Video
                ? MediaClock.Hz / 25
                : 1024L * MediaClock.Hz / Math.Max(1, frame.Track.SampleRate);
            end = Math.Max(end, frame.Dts - Start + duration);
        }

        Duration = end;
    }

    public IReadOnlyList<MediaFrame> Frames { get; }

    public int Width { get; }

    public int Height { get; }

    /// <summary>The earliest DTS in the clip.</summary>
    public long Start { get; }

    /// <summary>One pass, 90 kHz.</summary>
    public long Duration { get; }

    public void Dispose()
    {
        foreach (var frame in Frames)
        {
            frame.Release();
        }
    }
}
