using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using LiveRelay.LoadTest.Cli;
using LiveRelay.Protocols.Rtmp.Chunks;
using LiveRelay.Protocols.Rtmp.Handshake;

namespace LiveRelay.LoadTest.Players;

/// <summary>
/// An RTMP viewer on one async socket: simple handshake, connect / createStream / play, then
/// <see cref="RtmpChunkReader"/> until the first AVC keyframe; after that it only counts bytes
/// (and acknowledges them once per window, as real players do, so servers that wait for
/// acknowledgements or ping idle clients keep sending).
/// </summary>
internal sealed partial class RtmpPlayer : Player
{
    /// <summary>Chunk size of everything this client sends (it never sends Set Chunk Size).</summary>
    private const int ClientChunkSize = RtmpChunkReader.DefaultChunkSize;

    private readonly string _app;
    private readonly string _streamName;
    private readonly byte[] _ack = new byte[16];
    private long _received;
    private long _acknowledged;
    private uint _ackWindow;

    public RtmpPlayer(int id, Uri uri)
        : base(id, uri)
    {
        var path = uri.AbsolutePath.Trim('/');
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
        {
            throw new ArgumentException($"{uri} has no app/stream path", nameof(uri));
        }

        _app = path[..slash];
        _streamName = path[(slash + 1)..];
    }

    public override PlayerProtocol Protocol => PlayerProtocol.Rtmp;

    protected override async Task PlayAsync(CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var buffer = new byte[ReceiveBufferSize];
        using (var deadline = FirstFrameDeadline(cancellationToken))
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(Uri.Host), Uri.Port), deadline.Token).ConfigureAwait(false);
            var filled = await HandshakeAsync(socket, buffer, deadline.Token).ConfigureAwait(false);
            await SendAsync(socket, BuildConnectAndCreateStream(), deadline.Token).ConfigureAwait(false);
            await ReadUntilKeyframeAsync(socket, buffer, filled, deadline.Token).ConfigureAwait(false);
        }

        // Counting only: one receive into the same buffer, no parsing, no allocation.
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }

            AddBytes(read);
            if (Received(read))
            {
                await SendAcknowledgementAsync(socket, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    //  C0 (1): version 3.   C1 (1536): time 4 | zero 4 | random 1528   (zero version bytes: the simple handshake)
    //  S0 (1) + S1 (1536) + S2 (1536) back, then C2 = S1 echoed.
    private async Task<int> HandshakeAsync(Socket socket, byte[] buffer, CancellationToken cancellationToken)
    {
        var c0c1 = new byte[RtmpHandshake.C0C1Length];
        c0c1[0] = RtmpHandshake.Version;
        Random.Shared.NextBytes(c0c1.AsSpan(9));
        await SendAsync(socket, c0c1, cancellationToken).ConfigureAwait(false);

        var filled = 0;
        while (filled < RtmpHandshake.S0S1S2Length)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new EndOfStreamException("the server closed the connection during the handshake");
            }

            AddBytes(read);
            filled += read;
        }

        if (buffer[0] != RtmpHandshake.Version)
        {
            throw new InvalidDataException($"S0 is version {buffer[0]}, not {RtmpHandshake.Version}");
        }

        await SendAsync(socket, buffer.AsMemory(1, RtmpHandshake.C2Length), cancellationToken).ConfigureAwait(false);

        // Anything after S2 is already chunk stream.
        var extra = filled - RtmpHandshake.S0S1S2Length;
        buffer.AsSpan(RtmpHandshake.S0S1S2Length, extra).CopyTo(buffer);
        _received = extra;
        return extra;
    }

    private async Task ReadUntilKeyframeAsync(Socket socket, byte[] buffer, int filled, CancellationToken cancellationToken)
    {
        using var chunks = new RtmpChunkReader();
        var state = new SessionState();
        while (true)
        {
            if (filled > 0)
            {
                var outcome = Parse(chunks, new ReadOnlySequence<byte>(buffer, 0, filled), state, out var consumed);
                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                filled -= consumed;
                if (outcome == ParseOutcome.Keyframe)
                {
                    MarkFirstFrame();
                    return;
                }

                if (outcome == ParseOutcome.StreamCreated)
                {
                    await SendAsync(socket, BuildPlay(state.StreamId), cancellationToken).ConfigureAwait(false);
                    continue;
                }
            }

            var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new EndOfStreamException("the server closed the connection before the first keyframe");
            }

            AddBytes(read);
            filled += read;
            if (Received(read))
            {
                await SendAcknowledgementAsync(socket, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Adds received bytes; true when an acknowledgement is due.</summary>
    private bool Received(int count)
    {
        _received += count;
        return _ackWindow > 0 && _received - _acknowledged >= _ackWindow;
    }

    private async ValueTask SendAcknowledgementAsync(Socket socket, CancellationToken cancellationToken)
    {
        _acknowledged = _received;
        var length = WriteAcknowledgement(_ack, unchecked((uint)_received));
        await SendAsync(socket, _ack.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
    }

    // Acknowledgement (type 3) on the control chunk stream: 4-byte big-endian sequence number.
    private static int WriteAcknowledgement(Span<byte> destination, uint sequenceNumber)
    {
        Span<byte> payload = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, sequenceNumber);
        return RtmpChunkWriter.WriteMessage(destination, RtmpChunkWriter.ControlChunkStream, RtmpMessageType.Acknowledgement, 0, 0, payload, default, ClientChunkSize);
    }

    private static async ValueTask SendAsync(Socket socket, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            var sent = await socket.SendAsync(data, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            data = data[sent..];
        }
    }
}
