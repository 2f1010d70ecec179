using System.Buffers;
using System.Buffers.Binary;
using LiveRelay.Formats.Amf;
using LiveRelay.Protocols.Rtmp.Chunks;

namespace LiveRelay.LoadTest.Players;

/// <summary>The commands a player sends and the messages it reads before its first keyframe.</summary>
internal sealed partial class RtmpPlayer
{
    private const double ConnectTransaction = 1;
    private const double CreateStreamTransaction = 2;

    /// <summary>What one parse pass found that the connection loop must act on.</summary>
    private enum ParseOutcome
    {
        /// <summary>Nothing to do but read more.</summary>
        NeedMore,

        /// <summary>createStream answered: send play on <see cref="SessionState.StreamId"/>.</summary>
        StreamCreated,

        /// <summary>The first AVC keyframe arrived.</summary>
        Keyframe,
    }

    private sealed class SessionState
    {
        public uint StreamId { get; set; }

        public bool PlaySent { get; set; }
    }

    /// <summary>
    /// Reads every complete message in <paramref name="input"/> and stops after the first one the
    /// loop must act on. Pure apart from the chunk reader's state; returns how many bytes it consumed.
    /// </summary>
    private ParseOutcome Parse(RtmpChunkReader chunks, ReadOnlySequence<byte> input, SessionState state, out int consumed)
    {
        var reader = new SequenceReader<byte>(input);
        var outcome = ParseOutcome.NeedMore;
        while (outcome == ParseOutcome.NeedMore && chunks.TryReadMessage(ref reader, out var message))
        {
            try
            {
                outcome = Handle(message, state);
            }
            finally
            {
                message.Payload.Release();
            }
        }

        consumed = (int)reader.Consumed;
        return outcome;
    }

    private ParseOutcome Handle(in RtmpMessage message, SessionState state)
    {
        var payload = message.Span;
        switch (message.TypeId)
        {
            case RtmpMessageType.WindowAcknowledgementSize when payload.Length >= 4:
                _ackWindow = BinaryPrimitives.ReadUInt32BigEndian(payload);
                return ParseOutcome.NeedMore;

            //  Video tag body: FrameType (4 bits, 1 = key) | CodecID (4 bits, 7 = AVC) | AVCPacketType (0 = sequence header, 1 = NALU)
            case RtmpMessageType.Video when payload.Length >= 2 && payload[0] == 0x17 && payload[1] == 0x01:
                return ParseOutcome.Keyframe;

            case RtmpMessageType.CommandAmf0:
                return OnCommand(payload, state);

            default:
                return ParseOutcome.NeedMore;
        }
    }

    private static ParseOutcome OnCommand(ReadOnlySpan<byte> payload, SessionState state)
    {
        var reader = new Amf0Reader(payload);
        var name = reader.ReadString();
        var transaction = reader.End ? 0 : reader.ReadValue() as double? ?? 0;
        var commandObject = reader.End ? null : reader.ReadValue();
        var info = reader.End ? null : reader.ReadValue();
        switch (name)
        {
            case "_result" when transaction == CreateStreamTransaction && !state.PlaySent:
                state.StreamId = info is double id ? (uint)id : 1;
                state.PlaySent = true;
                return ParseOutcome.StreamCreated;
            case "_error":
                throw new InvalidDataException($"the server refused a command: {Describe(info ?? commandObject)}");
            case "onStatus" when info is AmfObject status && status["level"] is "error":
                throw new InvalidDataException($"the server refused play: {Describe(status)}");
            default:
                return ParseOutcome.NeedMore;
        }
    }

    private static string Describe(object? value) => value is AmfObject status
        ? $"{status["code"]} {status["description"]}"
        : value?.ToString() ?? "(no reason)";

    /// <summary>connect (transaction 1) and createStream (transaction 2), chunked for the default chunk size.</summary>
    private byte[] BuildConnectAndCreateStream()
    {
        var tcUrl = $"rtmp://{Uri.Authority}/{_app}";
        var connect = new ArrayBufferWriter<byte>(512);
        Amf0Writer.WriteString(connect, "connect");
        Amf0Writer.WriteNumber(connect, ConnectTransaction);
        Amf0Writer.WriteObject(connect, new AmfObject
        {
            { "app", _app },
            { "flashVer", "LNX 9,0,124,2" },
            { "tcUrl", tcUrl },
            { "fpad", false },
            { "capabilities", 15.0 },
            { "audioCodecs", 4071.0 },
            { "videoCodecs", 252.0 },
            { "videoFunction", 1.0 },
        });

        var createStream = new ArrayBufferWriter<byte>(64);
        Amf0Writer.WriteString(createStream, "createStream");
        Amf0Writer.WriteNumber(createStream, CreateStreamTransaction);
        Amf0Writer.WriteNull(createStream);

        var output = new ArrayBufferWriter<byte>(1024);
        WriteCommand(output, 0, connect.WrittenSpan);
        WriteCommand(output, 0, createStream.WrittenSpan);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>play(name, start = -2000: live, else recorded; ffmpeg's default) on the created stream.</summary>
    private byte[] BuildPlay(uint streamId)
    {
        var play = new ArrayBufferWriter<byte>(128);
        Amf0Writer.WriteString(play, "play");
        Amf0Writer.WriteNumber(play, 0);
        Amf0Writer.WriteNull(play);
        Amf0Writer.WriteString(play, _streamName);
        Amf0Writer.WriteNumber(play, -2000);

        var output = new ArrayBufferWriter<byte>(256);
        WriteCommand(output, streamId, play.WrittenSpan);
        return output.WrittenSpan.ToArray();
    }

    private static void WriteCommand(IBufferWriter<byte> output, uint streamId, ReadOnlySpan<byte> payload) =>
        RtmpChunkWriter.WriteMessage(output, RtmpChunkWriter.CommandChunkStream, RtmpMessageType.CommandAmf0, streamId, 0, payload, default, ClientChunkSize);
}
