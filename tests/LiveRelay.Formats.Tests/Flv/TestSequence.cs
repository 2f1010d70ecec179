using System.Buffers;

namespace LiveRelay.Formats.Tests.Flv;

/// <summary>Builds multi-segment <see cref="ReadOnlySequence{T}"/>s, each segment its own array.</summary>
internal static class TestSequence
{
    /// <summary>One segment per part, empty parts included.</summary>
    public static ReadOnlySequence<byte> FromParts(params byte[][] parts)
    {
        if (parts.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new Segment(parts[0].ToArray(), 0);
        var last = first;
        foreach (var part in parts.Skip(1))
        {
            last = last.Append(part.ToArray());
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>Cuts <paramref name="data"/> into segments of <paramref name="size"/> bytes, with an empty segment between each.</summary>
    public static ReadOnlySequence<byte> Split(byte[] data, int size)
    {
        var parts = new List<byte[]>();
        for (var i = 0; i < data.Length; i += size)
        {
            parts.Add(data[i..Math.Min(i + size, data.Length)]);
            parts.Add([]);
        }

        return parts.Count == 0 ? ReadOnlySequence<byte>.Empty : FromParts([.. parts]);
    }

    /// <summary>Cuts <paramref name="data"/> at the given offsets.</summary>
    public static ReadOnlySequence<byte> SplitAt(byte[] data, params int[] cuts)
    {
        var parts = new List<byte[]>();
        var start = 0;
        foreach (var cut in cuts.Append(data.Length))
        {
            parts.Add(data[start..cut]);
            start = cut;
        }

        return FromParts([.. parts]);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
