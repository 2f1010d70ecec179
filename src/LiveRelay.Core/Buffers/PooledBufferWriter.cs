using System.Buffers;

namespace LiveRelay.Core.Buffers;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> that writes into a growing <see cref="MediaBuffer"/>.
/// Used to serialize one frame once (RTMP chunks, an FLV tag) into shared pooled memory.
/// </summary>
public sealed class PooledBufferWriter : IBufferWriter<byte>
{
    private MediaBuffer _buffer;
    private int _written;

    public PooledBufferWriter(int initialCapacity)
    {
        _buffer = MediaBuffer.Rent(initialCapacity);
    }

    /// <summary>Bytes written so far.</summary>
    public int WrittenCount => _written;

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.WritableSpan[.._written];

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(_written + count, _buffer.Capacity);
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.WritableMemory[_written..];
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.WritableSpan[_written..];
    }

    /// <summary>
    /// Hands the written bytes over as a buffer with one reference, and starts a new one.
    /// </summary>
    public MediaBuffer Detach(int nextCapacity = 256)
    {
        var buffer = _buffer;
        buffer.SetLength(_written);
        _buffer = MediaBuffer.Rent(nextCapacity);
        _written = 0;
        return buffer;
    }

    /// <summary>Drops what was written and returns the memory.</summary>
    public void Release()
    {
        _buffer.Release();
        _written = 0;
    }

    private void Ensure(int sizeHint)
    {
        var needed = _written + Math.Max(sizeHint, 1);
        if (needed <= _buffer.Capacity)
        {
            return;
        }

        var bigger = MediaBuffer.Rent(Math.Max(needed, _buffer.Capacity * 2));
        _buffer.WritableSpan[.._written].CopyTo(bigger.WritableSpan);
        _buffer.Release();
        _buffer = bigger;
    }
}
