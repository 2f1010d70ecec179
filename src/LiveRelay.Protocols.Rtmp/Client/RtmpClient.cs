using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using LiveRelay.Core.Media;
using LiveRelay.Formats.Amf;
using LiveRelay.Formats.Media;
using LiveRelay.Protocols.Rtmp.Chunks;
using LiveRelay.Protocols.Rtmp.Handshake;
using LiveRelay.Protocols.Rtmp.Messages;

namespace LiveRelay.Protocols.Rtmp.Client;

/// <summary>
/// An RTMP client on one TCP connection: the simple handshake, <c>connect</c>, then either a
/// publish (relay-out: <see cref="WriteFrame"/>) or a play (pulls: <see cref="ReadMessageAsync"/>).
/// Protocol control from the server (chunk size, window acknowledgement, ping) is handled inside.
/// Only one task reads and one writes.
/// </summary>
public sealed class RtmpClient : IAsyncDisposable
{
    /// <summary>The chunk size the client sends with.</summary>
    public const int OutChunkSize = 4096;

    private const int MaxCommandWaitMessages = 1000;

    private readonly Socket _socket;
    private readonly Stream _network;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly RtmpChunkReader _chunks = new();
    private readonly RtmpUrl _url;
    private uint _streamId;
    private double _transaction;
    private readonly System.Collections.Concurrent.ConcurrentQueue<byte[]> _pendingControl = new();
    private uint _windowSize = 2_500_000;
    private long _acknowledged;

    // While publishing, another task writes frames: replies to the server wait in _pendingControl
    // for its next flush instead of touching the pipe from the reading task.
    private volatile bool _publishing;

    private RtmpClient(Socket socket, Stream network, RtmpUrl url)
    {
        _socket = socket;
        _url = url;
        _network = network;
        _input = PipeReader.Create(_network);
        _output = PipeWriter.Create(_network);
    }

    /// <summary>Bytes received so far.</summary>
    public long BytesReceived => _chunks.BytesRead;

    /// <summary>Bytes sent so far.</summary>
    public long BytesSent { get; private set; }

    /// <summary>Connects, shakes hands and sends <c>connect</c>; throws <see cref="RtmpClientException"/> when the server refuses.</summary>
    public static async Task<RtmpClient> ConnectAsync(RtmpUrl url, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(url.Host, url.Port, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        Stream network = new NetworkStream(socket, ownsSocket: true);
        if (url.Secure)
        {
            // rtmps://: TLS with the host's certificate checked against the system's trusted roots.
            var tls = new SslStream(network, leaveInnerStreamOpen: false);
            try
            {
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = url.Host }, cancellationToken).ConfigureAwait(false);
            }
            catch (AuthenticationException ex)
            {
                await tls.DisposeAsync().ConfigureAwait(false);
                throw new RtmpClientException($"TLS with {url.Host} failed: {ex.Message}");
            }
            catch
            {
                await tls.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            network = tls;
        }

        var client = new RtmpClient(socket, network, url);
        try
        {
            await client.HandshakeAsync(cancellationToken).ConfigureAwait(false);
            client.WriteControl(static (o, _) => RtmpControlMessages.WriteSetChunkSize(o, OutChunkSize));
            await client.CommandAsync(
                "connect",
                new AmfObject
                {
                    { "app", url.App },
                    { "type", "nonprivate" },
                    { "flashVer", "FMLE/3.0 (compatible; LiveRelay)" },
                    { "tcUrl", url.TcUrl },
                },
                [],
                0,
                cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>createStream, then publish the URL's stream name ("live"); returns once the server says NetStream.Publish.Start.</summary>
    public async Task PublishAsync(CancellationToken cancellationToken)
    {
        await SendCommandAsync("releaseStream", null, [_url.StreamName], 0, cancellationToken).ConfigureAwait(false);
        await SendCommandAsync("FCPublish", null, [_url.StreamName], 0, cancellationToken).ConfigureAwait(false);
        await CreateStreamAsync(cancellationToken).ConfigureAwait(false);
        await SendCommandAsync("publish", null, [_url.StreamName, "live"], _streamId, cancellationToken).ConfigureAwait(false);
        await WaitForStatusAsync("NetStream.Publish.Start", cancellationToken).ConfigureAwait(false);
        _publishing = true;
    }

    /// <summary>createStream, then play the URL's stream name; returns once the server says NetStream.Play.Start.</summary>
    public async Task PlayAsync(CancellationToken cancellationToken)
    {
        await CreateStreamAsync(cancellationToken).ConfigureAwait(false);
        await SendCommandAsync("play", null, [_url.StreamName, -2000.0], _streamId, cancellationToken).ConfigureAwait(false);
        await WaitForStatusAsync("NetStream.Play.Start", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The next audio, video or data message (the caller releases its payload), or null when the
    /// server closed the connection. Commands and protocol control are handled here.
    /// </summary>
    public async ValueTask<RtmpMessage?> ReadMessageAsync(CancellationToken cancellationToken)
    {
        while (await NextMessageAsync(cancellationToken).ConfigureAwait(false) is { } message)
        {
            if (message.TypeId is RtmpMessageType.Audio or RtmpMessageType.Video or RtmpMessageType.DataAmf0)
            {
                return message;
            }

            if (message.TypeId == RtmpMessageType.CommandAmf0 && IsEnd(message))
            {
                message.Payload.Release();
                return null;
            }

            message.Payload.Release();
        }

        return null;
    }

    /// <summary>Writes a frame on the published stream (FLV body: header bytes, then the payload); flush with <see cref="FlushAsync"/>.</summary>
    public void WriteFrame(MediaFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        Span<byte> head = stackalloc byte[FlvMediaWriter.MaxBodyHeaderLength];
        var headLength = FlvMediaWriter.WriteBodyHeader(frame, head);
        WriteMedia(frame, head[..headLength], frame.Payload.Span);
    }

    /// <summary>Writes the sequence header (decoder configuration) of a frame's track, if it has one.</summary>
    public void WriteSequenceHeader(MediaFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var body = FlvMediaWriter.GetSequenceHeaderBody(frame.Track);
        if (!body.IsEmpty)
        {
            WriteMedia(frame, default, body.Span);
        }
    }

    /// <summary>Writes <c>@setDataFrame onMetaData</c> with the stream's metadata.</summary>
    public void WriteMetadata(AmfObject metadata)
    {
        var payload = new ArrayBufferWriter<byte>(512);
        Amf0Writer.WriteString(payload, "@setDataFrame");
        Amf0Writer.WriteString(payload, "onMetaData");
        Amf0Writer.WriteEcmaArray(payload, metadata);
        var before = _output.UnflushedBytes;
        RtmpChunkWriter.WriteMessage(_output, RtmpChunkWriter.DataChunkStream, RtmpMessageType.DataAmf0, _streamId, 0, default, payload.WrittenSpan, OutChunkSize);
        BytesSent += _output.UnflushedBytes - before;
    }

    /// <summary>Sends what was written (and any replies the reading task queued); false when the connection is gone.</summary>
    public async ValueTask<bool> FlushAsync(CancellationToken cancellationToken)
    {
        while (_pendingControl.TryDequeue(out var control))
        {
            _output.Write(control);
            BytesSent += control.Length;
        }

        var result = await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return !result.IsCompleted && !result.IsCanceled;
    }

    /// <summary>Reads (and answers) what the server sends while publishing: acknowledgements, pings, a refusal.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        while (await NextMessageAsync(cancellationToken).ConfigureAwait(false) is { } message)
        {
            var end = message.TypeId == RtmpMessageType.CommandAmf0 && IsEnd(message);
            message.Payload.Release();
            if (end)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _input.CompleteAsync().ConfigureAwait(false);
        await _output.CompleteAsync().ConfigureAwait(false);
        await _network.DisposeAsync().ConfigureAwait(false);
        _socket.Dispose();
        _chunks.Dispose();
    }

    private void WriteMedia(MediaFrame frame, ReadOnlySpan<byte> head, ReadOnlySpan<byte> body)
    {
        var video = frame.Kind == MediaKind.Video;
        var before = _output.UnflushedBytes;
        RtmpChunkWriter.WriteMessage(
            _output,
            video ? RtmpChunkWriter.VideoChunkStream : RtmpChunkWriter.AudioChunkStream,
            video ? RtmpMessageType.Video : RtmpMessageType.Audio,
            _streamId,
            (uint)Math.Max(0, MediaClock.ToMilliseconds(frame.Dts)),
            head,
            body,
            OutChunkSize);
        BytesSent += _output.UnflushedBytes - before;
    }

    /// <summary>
    /// C0+C1 (version 3, time, zero, random); on S0+S1, C2 = S1 at once (some servers, ffmpeg's
    /// listener among them, send S2 only after C2); then S2 is read and dropped. Servers that check
    /// digests (Adobe's) are not the peers here; nginx-rtmp, SRS, ffmpeg and LiveRelay take this.
    /// </summary>
    private async Task HandshakeAsync(CancellationToken cancellationToken)
    {
        var c0c1 = new byte[RtmpHandshake.C0C1Length];
        c0c1[0] = RtmpHandshake.Version;
        RandomNumberGenerator.Fill(c0c1.AsSpan(9));
        await _output.WriteAsync(c0c1, cancellationToken).ConfigureAwait(false);
        BytesSent += c0c1.Length;
        var s0s1 = await ReadExactlyAsync(RtmpHandshake.C0C1Length, cancellationToken).ConfigureAwait(false);
        if (s0s1[0] != RtmpHandshake.Version)
        {
            throw new RtmpClientException($"the server answered the handshake with version {s0s1[0]}, not 3");
        }

        await _output.WriteAsync(s0s1.AsMemory(1), cancellationToken).ConfigureAwait(false);
        BytesSent += RtmpHandshake.C2Length;
        await ReadExactlyAsync(RtmpHandshake.C2Length, cancellationToken).ConfigureAwait(false);
    }

    private async Task<byte[]> ReadExactlyAsync(int length, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await _input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (buffer.Length >= length)
            {
                var bytes = buffer.Slice(0, length).ToArray();
                _input.AdvanceTo(buffer.GetPosition(length));
                return bytes;
            }

            if (result.IsCompleted)
            {
                throw new RtmpClientException("the server closed the connection during the handshake");
            }

            _input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private async Task CreateStreamAsync(CancellationToken cancellationToken)
    {
        var result = await CommandAsync("createStream", null, [], 0, cancellationToken).ConfigureAwait(false);
        _streamId = result is double id and >= 0 and < uint.MaxValue ? (uint)id : throw new RtmpClientException("createStream returned no stream id");
    }

    /// <summary>Sends a command and waits for its <c>_result</c> (its first value after the command object), or throws with its <c>_error</c>.</summary>
    private async Task<object?> CommandAsync(string name, AmfObject? commandObject, object?[] arguments, uint streamId, CancellationToken cancellationToken)
    {
        var transaction = await SendCommandAsync(name, commandObject, arguments, streamId, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < MaxCommandWaitMessages; i++)
        {
            if (await NextMessageAsync(cancellationToken).ConfigureAwait(false) is not { } message)
            {
                throw new RtmpClientException($"the server closed the connection before answering {name}");
            }

            try
            {
                if (message.TypeId != RtmpMessageType.CommandAmf0)
                {
                    continue;
                }

                var reader = new Amf0Reader(message.Span);
                var command = reader.ReadValue() as string;
                var id = reader.End ? null : reader.ReadValue();
                if (command is "_result" or "_error" && id is double tx && tx == transaction)
                {
                    var info = reader.End ? null : reader.ReadValue();
                    var value = reader.End ? null : reader.ReadValue();
                    if (command == "_error")
                    {
                        throw new RtmpClientException($"{name} refused: {Describe(value ?? info)}");
                    }

                    return value;
                }
            }
            finally
            {
                message.Payload.Release();
            }
        }

        throw new RtmpClientException($"no answer to {name}");
    }

    private async Task WaitForStatusAsync(string expected, CancellationToken cancellationToken)
    {
        for (var i = 0; i < MaxCommandWaitMessages; i++)
        {
            if (await NextMessageAsync(cancellationToken).ConfigureAwait(false) is not { } message)
            {
                throw new RtmpClientException($"the server closed the connection before {expected}");
            }

            try
            {
                if (message.TypeId != RtmpMessageType.CommandAmf0 || !TryReadStatus(message.Span, out var code, out var level, out var description))
                {
                    continue;
                }

                if (code == expected)
                {
                    return;
                }

                if (level == "error" || code.EndsWith(".Failed", StringComparison.Ordinal) || code.EndsWith(".BadName", StringComparison.Ordinal) || code.EndsWith("StreamNotFound", StringComparison.Ordinal))
                {
                    throw new RtmpClientException($"{code}: {description}");
                }
            }
            finally
            {
                message.Payload.Release();
            }
        }

        throw new RtmpClientException($"no {expected} from the server");
    }

    private async ValueTask<double> SendCommandAsync(string name, AmfObject? commandObject, object?[] arguments, uint streamId, CancellationToken cancellationToken)
    {
        var transaction = ++_transaction;
        var payload = new ArrayBufferWriter<byte>(256);
        Amf0Writer.WriteString(payload, name);
        Amf0Writer.WriteNumber(payload, transaction);
        if (commandObject is null)
        {
            Amf0Writer.WriteNull(payload);
        }
        else
        {
            Amf0Writer.WriteObject(payload, commandObject);
        }

        foreach (var argument in arguments)
        {
            Amf0Writer.WriteValue(payload, argument);
        }

        var before = _output.UnflushedBytes;
        RtmpChunkWriter.WriteMessage(_output, RtmpChunkWriter.CommandChunkStream, RtmpMessageType.CommandAmf0, streamId, 0, default, payload.WrittenSpan, OutChunkSize);
        BytesSent += _output.UnflushedBytes - before;
        await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return transaction;
    }

    /// <summary>The next message of any kind after handling protocol control, or null at the end of the connection.</summary>
    private async ValueTask<RtmpMessage?> NextMessageAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await _input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var reader = new SequenceReader<byte>(buffer);
            RtmpMessage message;
            var read = false;
            try
            {
                read = _chunks.TryReadMessage(ref reader, out message);
            }
            finally
            {
                // After a message, more may wait in the buffer: only an incomplete one needs new bytes.
                if (read)
                {
                    _input.AdvanceTo(reader.Position);
                }
                else
                {
                    _input.AdvanceTo(reader.Position, buffer.End);
                }
            }

            if (read)
            {
                var control = HandleControl(message);
                Acknowledge();
                if (!_publishing && _output.UnflushedBytes > 0)
                {
                    await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
                }

                if (control)
                {
                    message.Payload.Release();
                    continue;
                }

                return message;
            }

            if (result.IsCompleted)
            {
                return null;
            }
        }
    }

    /// <summary>Window acknowledgements and pings; true when the message was only control.</summary>
    private bool HandleControl(in RtmpMessage message)
    {
        switch (message.TypeId)
        {
            case RtmpMessageType.SetChunkSize:
            case RtmpMessageType.Abort:
            case RtmpMessageType.Acknowledgement:
            case RtmpMessageType.SetPeerBandwidth:
                return true;
            case RtmpMessageType.WindowAcknowledgementSize:
                if (message.Span.Length >= 4)
                {
                    _windowSize = Math.Max(1, BinaryPrimitives.ReadUInt32BigEndian(message.Span));
                }

                return true;
            case RtmpMessageType.UserControl:
                if (message.Span.Length >= 6 && BinaryPrimitives.ReadUInt16BigEndian(message.Span) == UserControlEvent.PingRequest)
                {
                    var time = BinaryPrimitives.ReadUInt32BigEndian(message.Span[2..]);
                    WriteControl((o, chunkSize) => RtmpControlMessages.WriteUserControl(o, UserControlEvent.PingResponse, time, chunkSize));
                }

                return true;
            default:
                return false;
        }
    }

    private void Acknowledge()
    {
        var received = _chunks.BytesRead;
        if (received - _acknowledged >= _windowSize / 2)
        {
            _acknowledged = received;
            WriteControl((o, _) => RtmpControlMessages.WriteAcknowledgement(o, (uint)received));
        }
    }

    private void WriteControl(Action<IBufferWriter<byte>, int> write)
    {
        if (_publishing)
        {
            var bytes = new ArrayBufferWriter<byte>(64);
            write(bytes, OutChunkSize);
            _pendingControl.Enqueue(bytes.WrittenSpan.ToArray());
            return;
        }

        var before = _output.UnflushedBytes;
        write(_output, OutChunkSize);
        BytesSent += _output.UnflushedBytes - before;
    }

    /// <summary>onStatus's code, level and description.</summary>
    private static bool TryReadStatus(ReadOnlySpan<byte> payload, out string code, out string level, out string description)
    {
        code = level = description = "";
        var reader = new Amf0Reader(payload);
        if (reader.ReadValue() is not "onStatus")
        {
            return false;
        }

        while (!reader.End)
        {
            if (reader.ReadValue() is AmfObject info && info.TryGetString("code", out var c))
            {
                code = c;
                level = info.TryGetString("level", out var l) ? l : "";
                description = info.TryGetString("description", out var d) ? d : "";
                return true;
            }
        }

        return false;
    }

    /// <summary>True for onStatus that ends the stream (unpublished, stopped) or a server close.</summary>
    private static bool IsEnd(in RtmpMessage message)
    {
        if (!TryReadStatus(message.Span, out var code, out var level, out _))
        {
            return false;
        }

        return level == "error" || code is "NetStream.Play.Stop" or "NetStream.Play.UnpublishNotify" or "NetStream.Publish.BadName" or "NetConnection.Connect.Closed";
    }

    private static string Describe(object? value) => value switch
    {
        AmfObject info when info.TryGetString("description", out var d) => info.TryGetString("code", out var c) ? $"{c}: {d}" : d,
        AmfObject info when info.TryGetString("code", out var c) => c,
        null => "no reason given",
        _ => value.ToString() ?? "",
    };
}
