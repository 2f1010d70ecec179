using LiveRelay.Core.Access;
using LiveRelay.Core.Streams;
using LiveRelay.Formats.Flv;
using LiveRelay.Formats.Media;
using LiveRelay.Protocols.Rtmp.Chunks;
using LiveRelay.Protocols.Rtmp.Messages;

namespace LiveRelay.Protocols.Rtmp.Session;

/// <summary>Publish: the RTMP ingest adapter, FLV bodies in, media frames out.</summary>
internal sealed partial class RtmpSession
{
    private StreamPublisher? _publisher;
    private FlvMediaReader? _media;
    private HashSet<string>? _reported;

    private async ValueTask OnPublishAsync(string? name)
    {
        if (_publisher is not null || _player is not null)
        {
            await SendStatusAsync("error", "NetStream.Publish.BadConnection", "This connection is already publishing or playing.").ConfigureAwait(false);
            return;
        }

        if (!RtmpStreamName.TryResolve(_app, name, out var path, out var query, out var error))
        {
            _metrics.PublishRefused(Protocol, nameof(PublishStatus.InvalidPath));
            RtmpLog.PublishRefused(_logger, name ?? "", error);
            await SendStatusAsync("error", "NetStream.Publish.BadName", $"Cannot publish '{name}': {error}.").ConfigureAwait(false);
            RequestClose();
            return;
        }

        // OBS's stream key "cam1?key=…", the key on the server URL "rtmp://host/live?key=…", or the bare
        // key as the stream name ("rtmp://host/live" + Stream Key "KEY"), which publishes its feed's path.
        var key = query.GetValueOrDefault("key");
        if (key is null && _publish.PathOfStreamKey(path[(path.IndexOf('/', StringComparison.Ordinal) + 1)..]) is { } keyed)
        {
            key = path[(path.IndexOf('/', StringComparison.Ordinal) + 1)..];
            path = keyed;
        }

        var decision = await _publish.AuthorizeAsync(new PublishRequest(path, Protocol, _remote, key), Closed).ConfigureAwait(false);
        if (!decision.Allowed)
        {
            _metrics.PublishRefused(Protocol, decision.Unauthorized ? "Unauthorized" : "Denied");
            RtmpLog.PublishRefused(_logger, path, decision.Refusal!);
            await SendStatusAsync("error", decision.Unauthorized ? "NetStream.Publish.Unauthorized" : "NetStream.Publish.Denied", $"Cannot publish {path}: {decision.Refusal}.").ConfigureAwait(false);
            RequestClose();
            return;
        }

        var status = _hub.TryPublish(path, new PublisherInfo("rtmp", _remote, _connection.ConnectionId), out var publisher, decision.Takeover);
        if (publisher is null)
        {
            _metrics.PublishRefused(Protocol, status.ToString());
            RtmpLog.PublishRefused(_logger, path, Describe(status, path));
            await SendStatusAsync("error", "NetStream.Publish.BadName", Describe(status, path)).ConfigureAwait(false);
            RequestClose();
            return;
        }

        _publisher = publisher;
        publisher.Evicted.Register(static state =>
        {
            // Wakes the read loop, which tells the encoder why (onStatus) and closes the connection cleanly.
            var (session, publisher) = ((RtmpSession, StreamPublisher))state!;
            session._closeReason = publisher.EvictedReason ?? "ended by the server";
            RtmpLog.PublisherEvicted(session._logger, publisher.Stream.Path, session._closeReason);
            session._input.CancelPendingRead();
        }, (this, publisher));
        _media = new FlvMediaReader();
        SetState(ConnectionState.Publishing);
        RtmpLog.PublishStarted(_logger, path, status);
        await WriteAsync(0, static (output, _, chunkSize) =>
            RtmpControlMessages.WriteUserControl(output, UserControlEvent.StreamBegin, MediaStreamId, chunkSize)).ConfigureAwait(false);
        await SendStatusAsync("status", "NetStream.Publish.Start", Describe(status, path)).ConfigureAwait(false);
    }

    /// <summary>Turns an audio/video message into a frame; true when the payload was handed over.</summary>
    private bool OnMedia(in RtmpMessage message)
    {
        if (_publisher is null || _media is null)
        {
            return false;
        }

        var type = message.TypeId == RtmpMessageType.Video ? FlvTagType.Video : FlvTagType.Audio;
        switch (_media.Read(type, message.Payload, message.Timestamp, out var frame, out var track, out var problem))
        {
            case FlvMediaResult.Frame:
                _publisher.Write(frame!);
                return true;
            case FlvMediaResult.TrackChanged:
                _publisher.SetTrack(track!);
                return false;
            default:
                if (problem is not null && (_reported ??= []).Add(problem) && _reported.Count < 32)
                {
                    RtmpLog.MediaIgnored(_logger, _publisher.Stream.Path, problem);
                }

                return false;
        }
    }

    private void OnData(ReadOnlySpan<byte> payload)
    {
        if (_publisher is null || !FlvScriptData.TryReadScriptData(payload, out var name, out var data) || data is null)
        {
            return;
        }

        if (name == "onMetaData")
        {
            _publisher.SetMetadata(FlvMediaWriter.ToPlainValues(data));
        }
    }

    private void EndPublish()
    {
        var publisher = Interlocked.Exchange(ref _publisher, null);
        if (publisher is null)
        {
            return;
        }

        RtmpLog.PublishEnded(_logger, publisher.Stream.Path, publisher.Stream.FramesIn);
        publisher.Dispose();
    }
}
