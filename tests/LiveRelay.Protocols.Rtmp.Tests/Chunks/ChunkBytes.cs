using System.Buffers;
using LiveRelay.Protocols.Rtmp.Chunks;

namespace LiveRelay.Protocols.Rtmp.Tests.Chunks;

/// <summary>Helpers to feed chunk bytes to a reader the way a pipe would.</summary>
internal static class ChunkBytes
{
    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    /// <summary>Reads every complete message from <paramref name="data"/>, cut into segments of <paramref name="segment"/> bytes.</summary>
    public static List<(RtmpMessage Message, byte[] Payload)> ReadAll(RtmpChunkReader reader, byte[] data, int segment = int.MaxValue)
    {
        var messages = new List<(RtmpMessage, byte[])>();
        var sequence = Segmented(data, segment);
        var input = new SequenceReader<byte>(sequence);
        while (reader.TryReadMessage(ref input, out var message))
        {
            messages.Add((message, message.Span.ToArray()));
            message.Payload.Release();
        }

        Assert.Equal(data.Length, input.Consumed);
        return messages;
    }

    /// <summary>Feeds the bytes one pipe read at a time, keeping what the reader did not consume.</summary>
    public static List<(RtmpMessage Message, byte[] Payload)> ReadInSteps(RtmpChunkReader reader, byte[] data, int step)
    {
        var messages = new List<(RtmpMessage, byte[])>();
        var pending = new List<byte>();
        for (var offset = 0; offset < data.Length; offset += step)
        {
            pending.AddRange(data.Skip(offset).Take(step));
            var buffer = new ReadOnlySequence<byte>(pending.ToArray());
            var input = new SequenceReader<byte>(buffer);
            while (reader.TryReadMessage(ref input, out var message))
            {
                messages.Add((message, message.Span.ToArray()));
                message.Payload.Release();
            }

            pending.RemoveRange(0, (int)input.Consumed);
        }

        Assert.Empty(pending);
        return messages;
    }

    public static ReadOnlySequence<byte> Segmented(byte[] data, int segment)
    {
        if (segment >= data.Length)
        {
            return new ReadOnlySequence<byte>(data);
        }

        Segment? first = null, last = null;
        for (var offset = 0; offset < data.Length; offset += segment)
        {
            var memory = data.AsMemory(offset, Math.Min(segment, data.Length - offset));
            last = last is null ? first = new Segment(memory, 0) : last.Append(memory);
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
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
