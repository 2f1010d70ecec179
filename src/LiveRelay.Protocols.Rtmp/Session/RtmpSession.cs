using System.Buffers;
using System.IO.Pipelines;
using LiveRelay.Core.Access;
using LiveRelay.Core.Diagnostics;
using LiveRelay.Core.Streams;
using LiveRelay.Formats.Amf;
using LiveRelay.Protocols.Rtmp.Chunks;
using LiveRelay.Protocols.Rtmp.Handshake;
using LiveRelay.Protocols.Rtmp.Messages;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace LiveRelay.Protocols.Rtmp.Session;

/// <summary>
/// One RTMP connection: handshake, chunk stream, commands, and either a publish (ingest) or a
/// play (egress). Only <see cref="RunAsync"/>'s loop reads the pipe; every write goes through
/// one async lock, so the command replies and the play loop never interleave bytes.
/// </summary>
internal sealed partial class RtmpSession : IAsyncDisposable
{
    /// <summary>The message stream id handed out by createStream (one per connection is what clients use).</summary>
    internal const uint MediaStreamId = 1;

    private readonly ConnectionContext _connection;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly StreamHub _hub;
    private readonly IPlaybackAuthorizer _playback;
    private readonly IPublishAuthorizer _publish;
    private readonly RtmpOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly LiveRelayMetrics _metrics;
    private readonly RtmpChunkReader _chunks;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly List<RtmpMessage> _batch = [];
    private readonly string? _remote;
    private readonly long _startTimestamp;
    private uint _peerWindow = 2_500_000;
    private long _lastAckAt;
    private bool _closeRequested;
    private volatile string? _closeReason;
    private string _state = ConnectionState.Handshake;
    private long _bytesCounted;

    public RtmpSession(ConnectionContext connection, StreamHub hub, RtmpOptions options, TimeProvider time, LiveRelayMetrics metrics, ILogger logger, IPlaybackAuthorizer? playback = null, IPublishAuthorizer? publish = null)
    {
        _playback = playback ?? new OpenPlaybackAuthorizer();
        _publish = publish ?? new OpenPublishAuthorizer();
        _metrics = metrics;
        _connection = connection;
        _input = connection.Transport.Input;
        _output = connection.Transport.Output;
        _hub = hub;
        _options = options;
        _time = time;
        _logger = logger;
        _remote = connection.RemoteEndPoint?.ToString();
        _startTimestamp = time.GetTimestamp();
        _chunks = new RtmpChunkReader(new RtmpChunkReaderOptions(options.MaxMessageSize, options.MaxChunkStreams));
        metrics.ConnectionOpened(Protocol, _state);
    }

    private const string Protocol = "rtmp";

    /// <summary>Connection states as the metrics name them.</summary>
    private static class ConnectionState
    {
        public const string Handshake = "handshake";
        public const string Connected = "connected";
        public const string Publishing = "publishing";
        public const string Playing = "playing";
    }

    private void SetState(string state)
    {
        if (state != _state)
        {
            _metrics.ConnectionStateChanged(Protocol, _state, state);
            _state = state;
        }
    }

    private CancellationToken Closed => _connection.ConnectionClosed;

    public async Task RunAsync()
    {
        try
        {
            if (!await HandshakeAsync().ConfigureAwait(false))
            {
                return;
            }

            await ReadLoopAsync().ConfigureAwait(false);
        }
        catch (RtmpProtocolException ex)
        {
            RtmpLog.ProtocolError(_logger, ex.Reason, ex.Message);
            _metrics.ConnectionRejected(Protocol, ex.Reason.ToString());
        }
        catch (AmfFormatException ex)
        {
            RtmpLog.ProtocolError(_logger, RtmpRejectReason.MalformedCommand, ex.Message);
            _metrics.ConnectionRejected(Protocol, nameof(RtmpRejectReason.MalformedCommand));
        }
        catch (Exception ex) when (ex is OperationCanceledException or ConnectionResetException or IOException or ConnectionAbortedException)
        {
            RtmpLog.ConnectionClosed(_logger, ex.Message);
        }
        catch (Exception ex)
        {
            RtmpLog.UnexpectedError(_logger, ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        ReleaseUnhandled();
        EndPublish();
        await StopPlayAsync().ConfigureAwait(false);
        _chunks.Dispose();
        _metrics.ConnectionClosed(Protocol, _state);
    }

    //  C0+C1 in, S0+S1+S2 out, C2 in. The whole exchange must finish within the handshake timeout.
    private async Task<bool> HandshakeAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Closed);
        timeout.CancelAfter(TimeSpan.FromSeconds(_options.HandshakeTimeoutSeconds));
        try
        {
            var c0c1 = await ReadExactAsync(RtmpHandshake.C0C1Length, timeout.Token).ConfigureAwait(false);
            if (c0c1 is null)
            {
                return false;
            }

            var response = _output.GetSpan(RtmpHandshake.S0S1S2Length);
            var kind = RtmpHandshake.WriteResponse(c0c1, response, (uint)Uptime.TotalMilliseconds);
            if (kind == HandshakeKind.Unsupported)
            {
                throw new RtmpProtocolException(
                    RtmpRejectReason.HandshakeVersion,
                    $"C0 asks for version {c0c1[0]}; only plain RTMP (3) is served (RTMPE and RTMPT are not)");
            }

            _output.Advance(RtmpHandshake.S0S1S2Length);
            await _output.FlushAsync(timeout.Token).ConfigureAwait(false);
            if (await ReadExactAsync(RtmpHandshake.C2Length, timeout.Token).ConfigureAwait(false) is null)
            {
                return false;
            }

            RtmpLog.HandshakeCompleted(_logger, kind);
            SetState(ConnectionState.Connected);
            return true;
        }
        catch (OperationCanceledException) when (!Closed.IsCancellationRequested)
        {
            throw new RtmpProtocolException(RtmpRejectReason.HandshakeTimeout, $"handshake not completed within {_options.HandshakeTimeoutSeconds} s");
        }
    }

    private async Task<byte[]?> ReadExactAsync(int length, CancellationToken cancellationToken)
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
                _input.AdvanceTo(buffer.End);
                return null;
            }

            _input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private async Task ReadLoopAsync()
    {
        while (!_closeRequested)
        {
            var result = await _input.ReadAsync(Closed).ConfigureAwait(false);
            if (result.IsCanceled && _closeReason is { } reason)
            {
                // The server ended the publish (revoked key, takeover, limit, shutdown): say why, then close.
                _input.AdvanceTo(result.Buffer.Start);
                await SendStatusAsync("status", "NetStream.Unpublish.Success", $"Closed by the server: {reason}.").ConfigureAwait(false);
                break;
            }

            var buffer = result.Buffer;
            var consumed = buffer.Start;
            try
            {
                consumed = ParseMessages(buffer);
            }
            finally
            {
                _input.AdvanceTo(consumed, buffer.End);
            }

            for (var i = 0; i < _batch.Count && !_closeRequested; i++)
            {
                var message = _batch[i];
                _batch[i] = default;
                await HandleMessageAsync(message).ConfigureAwait(false);
            }

            ReleaseUnhandled();
            _metrics.BytesReceived(Protocol, _chunks.BytesRead - _bytesCounted);
            _bytesCounted = _chunks.BytesRead;
            await AcknowledgeAsync().ConfigureAwait(false);
            if (result.IsCompleted)
            {
                break;
            }
        }
    }

    /// <summary>Reads every complete message in the buffer into the batch; returns how far it consumed.</summary>
    private SequencePosition ParseMessages(ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        while (_chunks.TryReadMessage(ref reader, out var message))
        {
            _batch.Add(message);
        }

        return reader.Position;
    }

    private void ReleaseUnhandled()
    {
        foreach (var message in _batch)
        {
            message.Payload?.Release();
        }

        _batch.Clear();
    }

    private async ValueTask HandleMessageAsync(RtmpMessage message)
    {
        var handedOver = false;
        try
        {
            switch (message.TypeId)
            {
                case RtmpMessageType.Audio:
                case RtmpMessageType.Video:
                    handedOver = OnMedia(message);
                    break;
                case RtmpMessageType.CommandAmf0:
                    await OnCommandAsync(message.Payload.Memory).ConfigureAwait(false);
                    break;
                case RtmpMessageType.CommandAmf3:
                    // AMF3 command messages carry a format byte, then AMF0 values.
                    await OnCommandAsync(message.Payload.Length == 0 ? message.Payload.Memory : message.Payload.Memory[1..]).ConfigureAwait(false);
                    break;
                case RtmpMessageType.DataAmf0:
                    OnData(message.Span);
                    break;
                case RtmpMessageType.DataAmf3:
                    OnData(message.Span.IsEmpty ? message.Span : message.Span[1..]);
                    break;
                case RtmpMessageType.UserControl:
                    await OnUserControlAsync(message.Payload.Memory).ConfigureAwait(false);
                    break;
                case RtmpMessageType.WindowAcknowledgementSize:
                    if (message.Payload.Length >= 4)
                    {
                        _peerWindow = Math.Max(1u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(message.Span));
                    }

                    break;
            }
        }
        finally
        {
            if (!handedOver)
            {
                message.Payload.Release();
            }
        }
    }

    private async ValueTask OnUserControlAsync(ReadOnlyMemory<byte> payload)
    {
        if (payload.Length < 6)
        {
            return;
        }

        var type = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(payload.Span);
        if (type == UserControlEvent.PingRequest)
        {
            var stamp = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(payload.Span[2..]);
            await WriteAsync(stamp, static (output, s, chunkSize) =>
                RtmpControlMessages.WriteUserControl(output, UserControlEvent.PingResponse, s, chunkSize)).ConfigureAwait(false);
        }
    }

    private async ValueTask AcknowledgeAsync()
    {
        var read = _chunks.BytesRead;
        if (read - _lastAckAt < _peerWindow)
        {
            return;
        }

        _lastAckAt = read;
        await WriteAsync((uint)read, static (output, sequence, _) =>
            RtmpControlMessages.WriteAcknowledgement(output, sequence)).ConfigureAwait(false);
    }

    /// <summary>Flushes what was written and counts it. Callers hold the write lock.</summary>
    private ValueTask<FlushResult> FlushAsync()
    {
        _metrics.BytesSent(Protocol, _output.UnflushedBytes);
        return _output.FlushAsync(Closed);
    }

    private TimeSpan Uptime => _time.GetElapsedTime(_startTimestamp);

    /// <summary>
    /// The chunk size announced at connect; everything we send uses it. It is one constant for
    /// every connection so one serialization of a frame serves every RTMP reader.
    /// </summary>
    internal const int OutChunkSize = 4096;

    /// <summary>Serializes a write (and its flush) against every other writer of this connection.</summary>
    private async ValueTask WriteAsync<TState>(TState state, Action<IBufferWriter<byte>, TState, int> write)
    {
        await _writeLock.WaitAsync(Closed).ConfigureAwait(false);
        try
        {
            write(_output, state, OutChunkSize);
            await FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }
}
