using System.Buffers;
using System.Diagnostics;

namespace LiveRelay.Core.Buffers;

/// <summary>
/// A pooled, reference-counted byte buffer. The creator holds the first reference; every
/// holder that keeps it past its own scope calls <see cref="AddRef"/> and later
/// <see cref="Release"/> exactly once. The array goes back to the pool when the count reaches zero.
/// </summary>
/// <remarks>
/// This is how one ingest payload or one serialization (RTMP chunks, FLV tag, TS packets)
/// is shared by every reader without a copy, as SRS's SrsSharedPtrMessage does.
/// </remarks>
public sealed class MediaBuffer
{
    private static readonly ObjectPool<MediaBuffer> s_pool = new(4096);

    private byte[] _array = [];
    private int _length;
    private int _refCount;

    private MediaBuffer()
    {
    }

    /// <summary>Number of valid bytes.</summary>
    public int Length => _length;

    /// <summary>Total writable bytes.</summary>
    public int Capacity => _array.Length;

    /// <summary>The valid bytes.</summary>
    public ReadOnlyMemory<byte> Memory => new(_array, 0, _length);

    /// <summary>The valid bytes.</summary>
    public ReadOnlySpan<byte> Span => new(_array, 0, _length);

    /// <summary>The whole writable array, for the owner while it fills the buffer.</summary>
    public Span<byte> WritableSpan => _array;

    /// <summary>The whole writable array, for the owner while it fills the buffer.</summary>
    public Memory<byte> WritableMemory => _array;

    /// <summary>Current reference count (for diagnostics and tests).</summary>
    public int RefCount => Volatile.Read(ref _refCount);

    /// <summary>Rents a buffer with room for at least <paramref name="minimumLength"/> bytes and one reference.</summary>
    public static MediaBuffer Rent(int minimumLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minimumLength);
        var buffer = s_pool.Rent() ?? new MediaBuffer();
        buffer._array = ArrayPool<byte>.Shared.Rent(Math.Max(minimumLength, 16));
        buffer._length = 0;
        buffer._refCount = 1;
        return buffer;
    }

    /// <summary>Rents a buffer holding a copy of <paramref name="data"/>.</summary>
    public static MediaBuffer CopyOf(ReadOnlySpan<byte> data)
    {
        var buffer = Rent(data.Length);
        data.CopyTo(buffer._array);
        buffer._length = data.Length;
        return buffer;
    }

    /// <summary>Sets the number of valid bytes after the owner wrote into <see cref="WritableSpan"/>.</summary>
    public void SetLength(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, _array.Length);
        _length = length;
    }

    /// <summary>Adds a reference.</summary>
    public void AddRef()
    {
        var count = Interlocked.Increment(ref _refCount);
        Debug.Assert(count > 1, "AddRef on a released buffer.");
    }

    /// <summary>Drops a reference; the last one returns the memory to the pool.</summary>
    public void Release()
    {
        var count = Interlocked.Decrement(ref _refCount);
        if (count > 0)
        {
            return;
        }

        if (count < 0)
        {
            throw new InvalidOperationException("MediaBuffer released more often than referenced.");
        }

        var array = _array;
        _array = [];
        _length = 0;
        ArrayPool<byte>.Shared.Return(array);
        s_pool.Return(this);
    }
}
