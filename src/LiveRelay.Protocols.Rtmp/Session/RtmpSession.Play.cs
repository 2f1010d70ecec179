using System.Buffers;
using LiveRelay.Core.Access;
using LiveRelay.Core.Media;
using LiveRelay.Core.Streams;
using LiveRelay.Formats.Amf;
using LiveRelay.Formats.Media;
using LiveRelay.Protocols.Rtmp.Chunks;
using LiveRelay.Protocols.Rtmp.Messages;
using Microsoft.AspNetCore.Connections;

namespace LiveRelay.Protocols.Rtmp.Session;

/// <summary>Play: the RTMP egress adapter, media frames in, chunks out.</summary>
internal sealed partial class RtmpSession
{
    /// <summary>
    /// Most bytes written to the pipe before one flush. Small enough that a burst (the GOP cache for
    /// a new player) does not make every connection hold a large slice of Kestrel's buffer pool.
    /// </summary>
    private const int MaxBatchBytes = 64 * 1024;

    private MediaReader? _player;
    private PlaybackGrant? _grant;
    private Task? _playLoop;
    private TrackInfo? _sentVideo;
    private TrackInfo? _sentAudio;

    private async ValueTask OnPlayAsync(string? name)
    {
        if (_publisher is not null || _player is not null)
        {
            await SendStatusAsync("error", "NetStream.Play.Failed", "This connection is already publishing or playing.").ConfigureAwait(false);
            return;
        }

        if (!RtmpStreamName.TryResolve(_app, name, out var path, out var query, out var error))
        {
            RtmpLog.PlayRefused(_logger, name ?? "", error);
            await SendStatusAsync("error", "NetStream.Play.StreamNotFound", $"Cannot play '{name}': {error}.").ConfigureAwait(false);
            RequestClose();
            return;
        }

        var decision = await _playback.AuthorizeAsync(new PlaybackRequest(path, Protocol, _remote, query.GetValueOrDefault("token")), Closed).ConfigureAwait(false);
        if (decision.Grant is not { } grant)
        {
            RtmpLog.PlayRefused(_logger, path, decision.Refusal ?? "not allowed");
            _metrics.ConnectionRejected(Protocol, "play_not_allowed");
            await SendStatusAsync("error", "NetStream.Play.Failed", $"Not allowed to play {path}: {decision.Refusal}.").ConfigureAwait(false);
            RequestClose();
            return;
        }

        _grant = grant;
        grant.Revoked.Register(static state => ((ConnectionContext)state!).Abort(new ConnectionAbortedException("The play was revoked.")), _connection);

        var stream = await _hub.FindOrDemandAsync(path, StreamHub.DemandWait, Closed).ConfigureAwait(false);
        if (stream is null)
        {
            EndGrant();
            RtmpLog.PlayRefused(_logger, path, "no such stream");
            await SendStatusAsync("error", "NetStream.Play.StreamNotFound", $"No stream is live at {path}.").ConfigureAwait(false);
            RequestClose();
            return;
        }

        if (stream.PlayerLimitReached() is { } full)
        {
            EndGrant();
            _metrics.ConnectionRejected(Protocol, "limit_players");
            RtmpLog.PlayRefused(_logger, path, full);
            await SendStatusAsync("error", "NetStream.Play.Failed", $"{full}.").ConfigureAwait(false);
            RequestClose();
            return;
        }

        await WriteAsync(0, static (output, _, chunkSize) =>
            RtmpControlMessages.WriteUserControl(output, UserControlEvent.StreamBegin, MediaStreamId, chunkSize)).ConfigureAwait(false);
        await SendStatusAsync("status", "NetStream.Play.Reset", $"Playing and resetting {path}.").ConfigureAwait(false);
        await SendStatusAsync("status", "NetStream.Play.Start", $"Started playing {path}.").ConfigureAwait(false);
        await SendDataAsync("|RtmpSampleAccess", true, true).ConfigureAwait(false);
        await SendDataAsync("onMetaData", FlvMediaWriter.BuildMetadata(stream.VideoTrack, stream.AudioTrack, stream.Metadata)).ConfigureAwait(false);

        _player = stream.Subscribe("rtmp", _remote);
        SetState(ConnectionState.Playing);
        RtmpLog.PlayStarted(_logger, path);
        _playLoop = PlayLoopAsync(_player);
    }

    private async Task PlayLoopAsync(MediaReader reader)
    {
        // Leave the read loop's continuation before the first write.
        await Task.Yield();
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                await _writeLock.WaitAsync(Closed).ConfigureAwait(false);
                try
                {
                    var written = 0;
                    while (written < MaxBatchBytes && reader.TryRead(out var frame))
                    {
                        try
                        {
                            written += WriteFrame(frame);
                        }
                        finally
                        {
                            frame.Release();
                        }
                    }

                    _grant?.AddBytes(written);
                    var flush = await FlushAsync().ConfigureAwait(false);
                    if (flush.IsCompleted || flush.IsCanceled)
                    {
                        break;
                    }
                }
                finally
                {
                    _writeLock.Release();
                }
            }

            var reason = reader.CloseReason;
            RtmpLog.PlayEnded(_logger, reader.Stream.Path, reason, reader.DeliveredFrames, reader.DroppedFrames);
            if (reason == ReaderCloseReason.StreamEnded)
            {
                await WriteAsync(0, static (output, _, chunkSize) =>
                    RtmpControlMessages.WriteUserControl(output, UserControlEvent.StreamEof, MediaStreamId, chunkSize)).ConfigureAwait(false);
                await SendStatusAsync("status", "NetStream.Play.UnpublishNotify", $"{reader.Stream.Path} is no longer published.").ConfigureAwait(false);
                await SendStatusAsync("status", "NetStream.Play.Stop", $"Stopped playing {reader.Stream.Path}.").ConfigureAwait(false);
            }

            if (reason is ReaderCloseReason.StreamEnded or ReaderCloseReason.TooSlow)
            {
                // Nothing more will come: end the connection so the player sees the end.
                _connection.Abort();
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            RtmpLog.ConnectionClosed(_logger, ex.Message);
        }
    }

    /// <summary>Writes a frame (and fresh sequence headers when its codec parameters changed); returns bytes written.</summary>
    private int WriteFrame(MediaFrame frame)
    {
        var written = 0;
        ref var sent = ref frame.Kind == MediaKind.Video ? ref _sentVideo : ref _sentAudio;
        if (!ReferenceEquals(sent, frame.Track))
        {
            if (!frame.Track.HasSameConfig(sent))
            {
                written += WriteSequenceHeader(frame);
            }

            sent = frame.Track;
        }

        var bytes = frame.GetEncoded<RtmpFrameEncoder>().Span;
        _output.Write(bytes);
        return written + bytes.Length;
    }

    private int WriteSequenceHeader(MediaFrame frame)
    {
        var body = FlvMediaWriter.GetSequenceHeaderBody(frame.Track);
        if (body.IsEmpty)
        {
            return 0;
        }

        var video = frame.Kind == MediaKind.Video;
        var timestamp = RtmpFrameEncoder.Timestamp(frame);
        var csid = video ? RtmpChunkWriter.VideoChunkStream : RtmpChunkWriter.AudioChunkStream;
        var before = _output.UnflushedBytes;
        RtmpChunkWriter.WriteMessage(_output, csid, video ? RtmpMessageType.Video : RtmpMessageType.Audio, MediaStreamId, timestamp, default, body.Span, OutChunkSize);
        return (int)(_output.UnflushedBytes - before);
    }

    private async ValueTask SendDataAsync(string name, params object?[] values)
    {
        var payload = new System.Buffers.ArrayBufferWriter<byte>(512);
        Amf0Writer.WriteString(payload, name);
        foreach (var value in values)
        {
            Amf0Writer.WriteValue(payload, value);
        }

        await WriteAsync(payload, static (output, p, chunkSize) =>
            RtmpChunkWriter.WriteMessage(output, RtmpChunkWriter.DataChunkStream, RtmpMessageType.DataAmf0, MediaStreamId, 0, p.WrittenSpan, default, chunkSize)).ConfigureAwait(false);
    }

    private async ValueTask StopPlayAsync()
    {
        var player = Interlocked.Exchange(ref _player, null);
        if (player is null)
        {
            EndGrant();
            return;
        }

        player.Dispose();
        if (_playLoop is { } loop)
        {
            await loop.ConfigureAwait(false);
        }

        EndGrant();
    }

    private void EndGrant() => Interlocked.Exchange(ref _grant, null)?.Dispose();
}
