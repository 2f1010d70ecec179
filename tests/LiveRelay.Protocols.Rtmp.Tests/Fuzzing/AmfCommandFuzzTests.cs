using System.Buffers;
using System.Reflection;
using LiveRelay.Formats.Amf;
using LiveRelay.Protocols.Rtmp.Chunks;
using LiveRelay.Protocols.Rtmp.Session;

namespace LiveRelay.Protocols.Rtmp.Tests.Fuzzing;

/// <summary>
/// AMF 0 command decoding through the message layer: a mutated command payload travels as an AMF 0 (20) or AMF 3 (17)
/// command message through the chunk reader and is decoded by the session's own <c>DecodeCommand</c>. The only
/// exception allowed is <see cref="AmfFormatException"/> (which the session turns into a MalformedCommand refusal).
/// </summary>
public sealed class AmfCommandFuzzTests
{
    private const int Iterations = 15_000;

    private static readonly CommandDecoder s_decode =
        typeof(RtmpSession).GetMethod("DecodeCommand", BindingFlags.NonPublic | BindingFlags.Static)?.CreateDelegate<CommandDecoder>()
        ?? throw new MissingMethodException(nameof(RtmpSession), "DecodeCommand");

    private delegate (string Name, double Transaction, object? CommandObject, List<object?> Arguments) CommandDecoder(ReadOnlySpan<byte> payload);

    [Fact]
    public Task DecodeCommand_MutatedPayloadsThroughChunkReader_OnlyAmfFormatErrors() =>
        Fuzz.RunAsync(Iterations, RtmpSeeds.Commands, Check);

    /// <summary>
    /// Bytes a decode may allocate. The reader allocates nothing from a declared length, so what it builds is bounded by
    /// the input: UTF-16 strings take 2 bytes per UTF-8 byte, and the densest values (a 4-byte empty object, a 1-byte
    /// null in a strict array, a 9-byte boxed number) under 32, so 64 per input byte, plus 16 KiB for the exception.
    /// </summary>
    internal static long AllocationBound(int payloadLength) => (16 * 1024) + (64L * payloadLength);

    internal static void Check(byte[] payload, Random random)
    {
        var amf3 = random.Next(2) == 0;
        var chunks = RtmpSeeds.Messages(128, [(3, amf3 ? RtmpMessageType.CommandAmf3 : RtmpMessageType.CommandAmf0, 0u, 0u, amf3 ? [0, .. payload] : payload)]);
        using var reader = new RtmpChunkReader();
        var input = new SequenceReader<byte>(new ReadOnlySequence<byte>(chunks));
        Assert.True(reader.TryReadMessage(ref input, out var message));
        try
        {
            var body = amf3 ? message.Span[1..] : message.Span;
            Assert.True(body.SequenceEqual(payload));
            DecodeAsSession(body);
        }
        finally
        {
            message.Payload.Release();
        }
    }

    /// <summary>Decodes as <c>RtmpSession.OnCommandAsync</c> does; false for an <see cref="AmfFormatException"/>.</summary>
    internal static bool DecodeAsSession(ReadOnlySpan<byte> payload)
    {
        var before = Fuzz.Allocated();
        try
        {
            var (name, _, _, arguments) = s_decode(payload);
            Assert.NotNull(name);
            Assert.InRange(arguments.Count, 0, 16);
            return true;
        }
        catch (AmfFormatException)
        {
            return false;
        }
        finally
        {
            var allocated = Fuzz.Allocated() - before;
            Fuzz.AssertAllocatedAtMost(allocated, AllocationBound(payload.Length), "RtmpSession.DecodeCommand");
        }
    }
}
