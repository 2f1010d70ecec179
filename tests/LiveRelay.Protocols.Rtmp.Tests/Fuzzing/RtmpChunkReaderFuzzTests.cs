using System.Buffers;
using System.Security.Cryptography;
using LiveRelay.Formats.Amf;
using LiveRelay.Protocols.Rtmp.Chunks;
using LiveRelay.Protocols.Rtmp.Tests.Chunks;

namespace LiveRelay.Protocols.Rtmp.Tests.Fuzzing;

/// <summary>
/// The chunk reader against mutated chunk streams, fed whole, as a multi-segment sequence of segments of a random size,
/// and as pipe reads of a random size that keep what was not consumed (as the existing chunk reader tests do). It may only throw <see cref="RtmpProtocolException"/>; the three feedings must read
/// the same messages and refuse for the same reason; it never leaves a whole header unconsumed when it asks for
/// more (the connection would stall); and it allocates within <see cref="AllocationBound"/>.
/// </summary>
public sealed class RtmpChunkReaderFuzzTests
{
    private const int Iterations = 20_000;

    /// <summary>The longest chunk header: 3-byte basic header, 11-byte type 0 header, 4-byte extended timestamp.</summary>
    private const int MaxHeaderLength = 18;

    private static readonly RtmpChunkReaderOptions s_tight = new(MaxMessageSize: 4096, MaxChunkStreams: 4);

    [Fact]
    public Task TryReadMessage_MutatedChunkStreams_OnlyProtocolErrorsAndSameResultHoweverSplit() =>
        Fuzz.RunAsync(Iterations, RtmpSeeds.ChunkStreams, Check);

    /// <summary>
    /// Bytes one reader may allocate for <paramref name="inputLength"/> bytes of input: an initial message buffer of
    /// at most 16 KiB for each chunk stream it holds state for (<see cref="RtmpChunkReaderOptions.MaxChunkStreams"/>),
    /// payload storage that grows by doubling in pooled power-of-two arrays (4 × input), and 16 KiB for chunk stream
    /// state and the one exception that ends the connection. Never a declared message length.
    /// </summary>
    internal static long AllocationBound(int inputLength, RtmpChunkReaderOptions options) =>
        (options.MaxChunkStreams * 16L * 1024) + (4L * inputLength) + (16 * 1024);

    internal static void Check(byte[] input, Random random)
    {
        var options = random.Next(4) == 0 ? s_tight : RtmpChunkReaderOptions.Default;
        var whole = ReadWhole(input, options, decodeCommands: true);
        var segmented = ReadSegmented(input, options, random);
        var stepped = ReadInSteps(input, options, 1 + random.Next(1 + random.Next(200)));

        Assert.Equal(whole, segmented);
        Assert.Equal(whole, stepped);
        Assert.True(whole.Reason is not null || whole.Unconsumed < MaxHeaderLength, $"{whole.Unconsumed} bytes left unconsumed while the reader waits for more");
    }

    /// <summary>What a feeding read: the messages, the refusal if any, and where the reader stopped.</summary>
    internal sealed record Outcome(string Messages, RtmpRejectReason? Reason, long BytesRead, int ChunkSize, long Unconsumed);

    private static Outcome ReadWhole(byte[] input, RtmpChunkReaderOptions options, bool decodeCommands) =>
        Read(new ReadOnlySequence<byte>(input), options, decodeCommands);

    private static Outcome ReadSegmented(byte[] input, RtmpChunkReaderOptions options, Random random) =>
        Read(ChunkBytes.Segmented(input, 1 + random.Next(1 + input.Length)), options, decodeCommands: false);

    private static Outcome Read(ReadOnlySequence<byte> sequence, RtmpChunkReaderOptions options, bool decodeCommands)
    {
        using var reader = new RtmpChunkReader(options);
        var messages = new List<string>();
        var input = new SequenceReader<byte>(sequence);
        var allocated = 0L;
        RtmpRejectReason? reason = null;
        try
        {
            while (true)
            {
                var before = Fuzz.Allocated();
                bool read;
                RtmpMessage message;
                try
                {
                    read = reader.TryReadMessage(ref input, out message);
                }
                finally
                {
                    allocated += Fuzz.Allocated() - before;
                }

                if (!read)
                {
                    break;
                }

                messages.Add(Describe(message, decodeCommands));
            }
        }
        catch (RtmpProtocolException ex)
        {
            reason = ex.Reason;
        }

        Fuzz.AssertAllocatedAtMost(allocated, AllocationBound((int)sequence.Length, options), "RtmpChunkReader");
        return reason is null
            ? new Outcome(string.Join(' ', messages), null, reader.BytesRead, reader.ChunkSize, input.Remaining)
            : new Outcome(string.Join(' ', messages), reason, 0, 0, 0);
    }

    /// <summary>Feeds the bytes one pipe read at a time, keeping what the reader did not consume, as the connection loop does.</summary>
    private static Outcome ReadInSteps(byte[] data, RtmpChunkReaderOptions options, int step)
    {
        using var reader = new RtmpChunkReader(options);
        var messages = new List<string>();
        var pending = new List<byte>();
        try
        {
            for (var offset = 0; offset < data.Length; offset += step)
            {
                pending.AddRange(data.AsSpan(offset, Math.Min(step, data.Length - offset)));
                var input = new SequenceReader<byte>(new ReadOnlySequence<byte>(pending.ToArray()));
                while (reader.TryReadMessage(ref input, out var message))
                {
                    messages.Add(Describe(message, decodeCommands: false));
                }

                pending.RemoveRange(0, (int)input.Consumed);
            }
        }
        catch (RtmpProtocolException ex)
        {
            return new Outcome(string.Join(' ', messages), ex.Reason, 0, 0, 0);
        }

        return new Outcome(string.Join(' ', messages), null, reader.BytesRead, reader.ChunkSize, pending.Count);
    }

    /// <summary>The message's fields and a hash of its payload, which is released; AMF commands are decoded as the session does.</summary>
    private static string Describe(RtmpMessage message, bool decodeCommands)
    {
        try
        {
            if (decodeCommands && message.TypeId is RtmpMessageType.CommandAmf0 or RtmpMessageType.CommandAmf3)
            {
                try
                {
                    AmfCommandFuzzTests.DecodeAsSession(message.TypeId == RtmpMessageType.CommandAmf3 && !message.Span.IsEmpty ? message.Span[1..] : message.Span);
                }
                catch (AmfFormatException)
                {
                    // The session ends the connection with MalformedCommand; the chunk layer is not affected.
                }
            }

            var hash = Convert.ToHexString(SHA256.HashData(message.Span)[..6]);
            return $"{message.TypeId}/{message.ChunkStreamId}/{message.StreamId}/{message.Timestamp}/{message.Payload.Length}/{hash}";
        }
        finally
        {
            message.Payload.Release();
        }
    }
}
