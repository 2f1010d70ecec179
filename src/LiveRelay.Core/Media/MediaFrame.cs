using System.Diagnostics;
using LiveRelay.Core.Buffers;

namespace LiveRelay.Core.Media;

/// <summary>
/// One access unit of one track: timestamps on the 90 kHz <see cref="MediaClock"/>, a keyframe flag,
/// and a slice of a pooled payload. Frames are pooled and reference-counted: the publisher
/// creates one with one reference, every queue or cache that holds it adds one, and each
/// holder releases exactly once.
/// </summary>
public sealed class MediaFrame
{
    private static readonly ObjectPool<MediaFrame> s_pool = new(8192);

    private readonly MediaBuffer?[] _encodings = new MediaBuffer?[EncodingSlot.Max];
    private MediaBuffer? _buffer;
    private int _offset;
    private int _length;
    private int _refCount;

    private MediaFrame()
    {
        Track = null!;
    }

    /// <summary>The track this frame belongs to, with the codec configuration in force.</summary>
    public TrackInfo Track { get; private set; }

    /// <summary>Video or audio.</summary>
    public MediaKind Kind => Track.Kind;

    /// <summary>Decode timestamp, 90 kHz.</summary>
    public long Dts { get; private set; }

    /// <summary>Presentation timestamp, 90 kHz.</summary>
    public long Pts { get; private set; }

    /// <summary>Composition offset (PTS − DTS), 90 kHz.</summary>
    public long CompositionOffset => Pts - Dts;

    /// <summary>True for a video frame that starts a GOP (IDR/IRAP).</summary>
    public bool IsKeyframe { get; private set; }

    /// <summary>
    /// Which publisher session of the stream produced the frame. It changes when a publisher
    /// reconnects within the grace period, so segmenters can mark a discontinuity.
    /// </summary>
    public int Generation { get; private set; }

    /// <summary>The payload (length-prefixed NAL units for video, a raw frame for audio).</summary>
    public ReadOnlyMemory<byte> Payload => _buffer!.Memory.Slice(_offset, _length);

    /// <summary>Payload size in bytes.</summary>
    public int PayloadLength => _length;

    /// <summary>Current reference count (for diagnostics and tests).</summary>
    public int RefCount => Volatile.Read(ref _refCount);

    /// <summary>
    /// Creates a frame over a slice of <paramref name="buffer"/> and takes over one reference to it.
    /// </summary>
    public static MediaFrame Create(TrackInfo track, MediaBuffer buffer, int offset, int length, long dts, long pts, bool isKeyframe)
    {
        ArgumentNullException.ThrowIfNull(track);
        ArgumentNullException.ThrowIfNull(buffer);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((long)offset + length, buffer.Length);

        var frame = s_pool.Rent() ?? new MediaFrame();
        frame.Track = track;
        frame._buffer = buffer;
        frame._offset = offset;
        frame._length = length;
        frame.Dts = dts;
        frame.Pts = pts;
        frame.IsKeyframe = isKeyframe && track.Kind == MediaKind.Video;
        frame.Generation = 0;
        frame._refCount = 1;
        return frame;
    }

    /// <summary>Creates a frame holding a copy of <paramref name="payload"/>.</summary>
    public static MediaFrame Copy(TrackInfo track, ReadOnlySpan<byte> payload, long dts, long pts, bool isKeyframe) =>
        Create(track, MediaBuffer.CopyOf(payload), 0, payload.Length, dts, pts, isKeyframe);

    /// <summary>
    /// A new frame with the same payload (shared, not copied) on another timeline: how a frame of one
    /// stream is republished in another (the program switcher). The caller owns the new frame's reference.
    /// </summary>
    public MediaFrame Retime(long dts, long pts)
    {
        _buffer!.AddRef();
        return Create(Track, _buffer, _offset, _length, dts, pts, IsKeyframe);
    }

    /// <summary>
    /// Moves the frame's timeline and stamps its publisher session. Only the publisher calls this,
    /// before the frame is shared.
    /// </summary>
    public void Restamp(long dtsOffset, int generation)
    {
        Debug.Assert(RefCount == 1, "A shared frame must not be restamped.");
        Dts += dtsOffset;
        Pts += dtsOffset;
        Generation = generation;
    }

    /// <summary>
    /// The frame in the wire form of <typeparamref name="TEncoder"/>'s format, serialized once
    /// and shared by every reader of that format for as long as the frame lives.
    /// </summary>
    public ReadOnlyMemory<byte> GetEncoded<TEncoder>()
        where TEncoder : IFrameEncoder
    {
        var index = TEncoder.Slot.Index;
        var existing = Volatile.Read(ref _encodings[index]);
        if (existing is not null)
        {
            return existing.Memory;
        }

        var created = TEncoder.Encode(this);
        existing = Interlocked.CompareExchange(ref _encodings[index], created, null);
        if (existing is null)
        {
            return created.Memory;
        }

        created.Release();
        return existing.Memory;
    }

    /// <summary>Adds a reference.</summary>
    public void AddRef()
    {
        var count = Interlocked.Increment(ref _refCount);
        Debug.Assert(count > 1, "AddRef on a released frame.");
    }

    /// <summary>Drops a reference; the last one returns the payload and cached encodings to their pools.</summary>
    public void Release()
    {
        var count = Interlocked.Decrement(ref _refCount);
        if (count > 0)
        {
            return;
        }

        if (count < 0)
        {
            throw new InvalidOperationException("MediaFrame released more often than referenced.");
        }

        for (var i = 0; i < _encodings.Length; i++)
        {
            _encodings[i]?.Release();
            _encodings[i] = null;
        }

        _buffer!.Release();
        _buffer = null;
        Track = null!;
        s_pool.Return(this);
    }

    public override string ToString() =>
        $"{Track?.Codec} dts={Dts} pts={Pts}{(IsKeyframe ? " key" : "")} {_length}B gen={Generation}";
}
