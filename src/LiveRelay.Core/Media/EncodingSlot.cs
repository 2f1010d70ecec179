namespace LiveRelay.Core.Media;

/// <summary>
/// A slot in the per-frame and per-track caches of serialized forms. Each egress format that
/// shares one serialization between its readers (RTMP chunks, FLV tags) allocates one slot
/// at start-up; the core never learns what the bytes mean.
/// </summary>
public readonly record struct EncodingSlot
{
    /// <summary>How many formats can cache per frame.</summary>
    public const int Max = 8;

    private static int s_next = -1;

    private EncodingSlot(int index) => Index = index;

    /// <summary>The slot's position in the caches.</summary>
    public int Index { get; }

    /// <summary>Allocates a new slot. Call once per format (a static readonly field).</summary>
    public static EncodingSlot Allocate()
    {
        var index = Interlocked.Increment(ref s_next);
        if (index >= Max)
        {
            throw new InvalidOperationException($"At most {Max} encoding slots can be allocated.");
        }

        return new EncodingSlot(index);
    }
}
