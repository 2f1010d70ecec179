using System.Buffers;
using System.Buffers.Binary;
using LiveRelay.Core.Buffers;

namespace LiveRelay.Protocols.Rtmp.Chunks;

/// <summary>
/// Reassembles RTMP messages from the chunk stream. Pure: it reads bytes from a
/// <see cref="SequenceReader{T}"/> and keeps per-chunk-stream state; only the connection loop
/// touches the pipe.
/// </summary>
/// <remarks>
/// A chunk header is consumed whole or not at all. Chunk payload is consumed as it arrives
/// (copied into the message being assembled), so a large chunk size never makes the
/// connection buffer a whole chunk in the pipe. Memory grows with the bytes actually received,
/// never with a length the peer merely declares, and at most
/// <see cref="RtmpChunkReaderOptions.MaxChunkStreams"/> chunk streams hold state.
/// </remarks>
public sealed class RtmpChunkReader : IDisposable
{
    /// <summary>The chunk size every RTMP connection starts with.</summary>
    public const int DefaultChunkSize = 128;

    /// <summary>The largest chunk size the protocol can express that we accept (16 MiB).</summary>
    public const int MaxChunkSize = 0xFFFFFF;

    private const int InitialMessageBuffer = 16 * 1024;
    private const uint ExtendedTimestampMarker = 0xFFFFFF;

    private readonly RtmpChunkReaderOptions _options;
    private readonly Dictionary<int, ChunkStreamState> _streams = [];
    private ChunkStreamState? _current;
    private int _chunkRemaining;

    public RtmpChunkReader(RtmpChunkReaderOptions? options = null)
    {
        _options = options ?? RtmpChunkReaderOptions.Default;
    }

    /// <summary>The peer's chunk size in force.</summary>
    public int ChunkSize { get; private set; } = DefaultChunkSize;

    /// <summary>Bytes consumed so far (for acknowledgements).</summary>
    public long BytesRead { get; private set; }

    /// <summary>
    /// Reads chunks until one message is complete (true) or the input runs out (false).
    /// Set Chunk Size and Abort take effect here, before the next chunk is read, and are also returned.
    /// The caller owns the returned message's payload.
    /// </summary>
    /// <exception cref="RtmpProtocolException">The peer broke the protocol; end the connection.</exception>
    public bool TryReadMessage(ref SequenceReader<byte> reader, out RtmpMessage message)
    {
        while (true)
        {
            if (_current is null)
            {
                var start = reader.Consumed;
                if (!TryReadChunkHeader(ref reader, out var stream))
                {
                    message = default;
                    return false;
                }

                BytesRead += reader.Consumed - start;
                _current = stream;
                _chunkRemaining = Math.Min(ChunkSize, stream.Length - stream.Received);
            }

            var current = _current;
            var take = (int)Math.Min(_chunkRemaining, reader.Remaining);
            if (take > 0)
            {
                current.Append(ref reader, take);
                _chunkRemaining -= take;
                BytesRead += take;
            }

            if (_chunkRemaining > 0)
            {
                message = default;
                return false;
            }

            _current = null;
            if (current.Received < current.Length)
            {
                continue;
            }

            message = current.TakeMessage();
            ApplyControl(message);
            return true;
        }
    }

    /// <summary>Releases any partially assembled messages.</summary>
    public void Dispose()
    {
        foreach (var stream in _streams.Values)
        {
            stream.Discard();
        }

        _streams.Clear();
        _current = null;
    }

    //  Chunk basic header, 1 to 3 bytes:
    //   0 1 2 3 4 5 6 7      csid 2..63
    //  +-+-+-+-+-+-+-+-+
    //  |fmt|   csid    |     csid 0: one more byte,  csid = 64 + byte        (64..319)
    //  +-+-+-+-+-+-+-+-+     csid 1: two more bytes, csid = 64 + b1 + 256*b2 (64..65599)
    //
    //  Chunk message header, by fmt:
    //  fmt 0 (11): timestamp 3 | message length 3 | type id 1 | message stream id 4 (little endian)
    //  fmt 1 (7):  timestamp delta 3 | message length 3 | type id 1
    //  fmt 2 (3):  timestamp delta 3
    //  fmt 3 (0):  nothing; continues the chunk stream's message, or repeats its header
    //  Extended timestamp (4) follows when the 3-byte field is 0xFFFFFF (and, for fmt 3,
    //  when the chunk stream's last header had one).
    private bool TryReadChunkHeader(ref SequenceReader<byte> input, out ChunkStreamState stream)
    {
        stream = null!;
        var reader = input;
        if (!reader.TryRead(out var first))
        {
            return false;
        }

        var fmt = first >> 6;
        int csid = first & 0x3F;
        if (csid == 0)
        {
            if (!reader.TryRead(out var b1))
            {
                return false;
            }

            csid = 64 + b1;
        }
        else if (csid == 1)
        {
            if (!reader.TryRead(out var b1) || !reader.TryRead(out var b2))
            {
                return false;
            }

            csid = 64 + b1 + (b2 << 8);
        }

        var headerLength = fmt switch { 0 => 11, 1 => 7, 2 => 3, _ => 0 };
        Span<byte> header = stackalloc byte[11];
        if (!reader.TryCopyTo(header[..headerLength]))
        {
            return false;
        }

        reader.Advance(headerLength);

        _streams.TryGetValue(csid, out var existing);
        if (existing is null && fmt != 0)
        {
            throw new RtmpProtocolException(
                RtmpRejectReason.UnknownChunkStream,
                $"chunk stream {csid} starts with a type {fmt} header, which continues a chunk stream never opened");
        }

        if (existing is null && _streams.Count >= _options.MaxChunkStreams)
        {
            throw new RtmpProtocolException(
                RtmpRejectReason.TooManyChunkStreams,
                $"more than {_options.MaxChunkStreams} chunk streams opened");
        }

        var state = existing ?? new ChunkStreamState();
        var continuation = fmt == 3 && state.InProgress;
        var field = 0u;
        if (fmt < 3)
        {
            field = (uint)ReadUInt24(header);
        }

        var extended = fmt < 3 ? field == ExtendedTimestampMarker : state.HasExtendedTimestamp;
        uint extendedValue = 0;
        if (extended)
        {
            Span<byte> ext = stackalloc byte[4];
            if (!reader.TryCopyTo(ext))
            {
                return false;
            }

            extendedValue = BinaryPrimitives.ReadUInt32BigEndian(ext);

            // Some encoders leave the extended timestamp out of continuation chunks; when the
            // four bytes are not the value we saw, they are payload (SRS does the same).
            if (!continuation || extendedValue == state.ExtendedTimestamp)
            {
                reader.Advance(4);
            }
            else
            {
                extended = false;
            }
        }

        // The whole header is here: commit.
        input = reader;
        if (existing is null)
        {
            _streams[csid] = state;
        }

        if (continuation)
        {
            stream = state;
            return true;
        }

        if (state.InProgress)
        {
            // A new header while a message was half assembled: the old message is abandoned.
            state.Discard();
        }

        var value = extended ? extendedValue : field;
        switch (fmt)
        {
            case 0:
                state.Timestamp = value;
                state.TimestampDelta = value;
                state.Length = ReadUInt24(header[3..]);
                state.TypeId = header[6];
                state.StreamId = BinaryPrimitives.ReadUInt32LittleEndian(header[7..]);
                break;
            case 1:
                state.TimestampDelta = value;
                state.Timestamp += value;
                state.Length = ReadUInt24(header[3..]);
                state.TypeId = header[6];
                break;
            case 2:
                state.TimestampDelta = value;
                state.Timestamp += value;
                break;
            default:
                state.Timestamp += state.TimestampDelta;
                break;
        }

        if (fmt < 3)
        {
            state.HasExtendedTimestamp = extended;
            state.ExtendedTimestamp = extendedValue;
        }

        if (state.Length > _options.MaxMessageSize)
        {
            throw new RtmpProtocolException(
                RtmpRejectReason.MessageTooLarge,
                $"message of {state.Length} bytes on chunk stream {csid} is over the {_options.MaxMessageSize}-byte limit");
        }

        state.ChunkStreamId = csid;
        state.Begin(InitialMessageBuffer);
        stream = state;
        return true;
    }

    private void ApplyControl(in RtmpMessage message)
    {
        switch (message.TypeId)
        {
            case RtmpMessageType.SetChunkSize:
                if (message.Payload.Length < 4)
                {
                    throw new RtmpProtocolException(RtmpRejectReason.MalformedControlMessage, "Set Chunk Size shorter than 4 bytes");
                }

                var size = BinaryPrimitives.ReadUInt32BigEndian(message.Span);
                if (size is 0 or > MaxChunkSize)
                {
                    throw new RtmpProtocolException(RtmpRejectReason.ChunkSizeInvalid, $"chunk size {size} is outside 1..{MaxChunkSize}");
                }

                ChunkSize = (int)size;
                break;
            case RtmpMessageType.Abort:
                if (message.Payload.Length < 4)
                {
                    throw new RtmpProtocolException(RtmpRejectReason.MalformedControlMessage, "Abort shorter than 4 bytes");
                }

                var csid = BinaryPrimitives.ReadUInt32BigEndian(message.Span);
                if (csid <= int.MaxValue && _streams.TryGetValue((int)csid, out var aborted) && aborted != _current)
                {
                    aborted.Discard();
                }

                break;
        }
    }

    private static int ReadUInt24(ReadOnlySpan<byte> bytes) => (bytes[0] << 16) | (bytes[1] << 8) | bytes[2];

    /// <summary>Per chunk stream: the last header's fields and the message being assembled.</summary>
    private sealed class ChunkStreamState
    {
        private MediaBuffer? _buffer;

        public int ChunkStreamId { get; set; }

        public uint Timestamp { get; set; }

        public uint TimestampDelta { get; set; }

        public int Length { get; set; }

        public byte TypeId { get; set; }

        public uint StreamId { get; set; }

        public bool HasExtendedTimestamp { get; set; }

        public uint ExtendedTimestamp { get; set; }

        public int Received { get; private set; }

        public bool InProgress => _buffer is not null && Received < Length;

        public void Begin(int initialCapacity)
        {
            _buffer = MediaBuffer.Rent(Math.Min(Length, initialCapacity));
            Received = 0;
        }

        public void Append(ref SequenceReader<byte> reader, int count)
        {
            var buffer = _buffer!;
            if (Received + count > buffer.Capacity)
            {
                // Grow with what has arrived, never to a declared length up front.
                var bigger = MediaBuffer.Rent(Math.Min(Length, Math.Max(Received + count, buffer.Capacity * 2)));
                buffer.WritableSpan[..Received].CopyTo(bigger.WritableSpan);
                buffer.Release();
                _buffer = buffer = bigger;
            }

            reader.TryCopyTo(buffer.WritableSpan.Slice(Received, count));
            reader.Advance(count);
            Received += count;
        }

        public RtmpMessage TakeMessage()
        {
            var buffer = _buffer!;
            buffer.SetLength(Length);
            _buffer = null;
            Received = 0;
            return new RtmpMessage(TypeId, StreamId, Timestamp, ChunkStreamId, buffer);
        }

        public void Discard()
        {
            _buffer?.Release();
            _buffer = null;
            Received = 0;
        }
    }
}

/// <summary>Bounds of one connection's chunk reader.</summary>
/// <param name="MaxMessageSize">Largest message accepted, in bytes.</param>
/// <param name="MaxChunkStreams">Most chunk streams one connection may open.</param>
public sealed record RtmpChunkReaderOptions(int MaxMessageSize = 8 * 1024 * 1024, int MaxChunkStreams = 64)
{
    public static RtmpChunkReaderOptions Default { get; } = new();
}
