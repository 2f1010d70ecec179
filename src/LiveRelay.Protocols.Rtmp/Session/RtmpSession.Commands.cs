using System.Buffers;
using LiveRelay.Core.Streams;
using LiveRelay.Formats.Amf;
using LiveRelay.Protocols.Rtmp.Chunks;
using LiveRelay.Protocols.Rtmp.Messages;

namespace LiveRelay.Protocols.Rtmp.Session;

/// <summary>NetConnection and NetStream commands.</summary>
internal sealed partial class RtmpSession
{
    private string _app = "";
    private double _objectEncoding;

    private async ValueTask OnCommandAsync(ReadOnlyMemory<byte> payload)
    {
        var (name, transaction, commandObject, arguments) = DecodeCommand(payload.Span);
        switch (name)

        {
            case "connect":
                await OnConnectAsync(transaction, commandObject as AmfObject).ConfigureAwait(false);
                break;
            case "createStream":
                // Like nginx-rtmp, every connection gets message stream 1, so all readers share one serialization.
                await ReplyAsync(transaction, null, (double)MediaStreamId).ConfigureAwait(false);
                break;
            case "releaseStream":
            case "getStreamLength":
                await ReplyAsync(transaction, null, name == "getStreamLength" ? 0.0 : AmfUndefined.Value).ConfigureAwait(false);
                break;
            case "FCPublish":
                await SendCommandAsync(0, "onFCPublish", 0.0, null, Status("status", "NetStream.Publish.Start", Arg(arguments, 0) as string ?? "")).ConfigureAwait(false);
                await ReplyAsync(transaction, null, AmfUndefined.Value).ConfigureAwait(false);
                break;
            case "FCUnpublish":
                await SendCommandAsync(0, "onFCUnpublish", 0.0, null, Status("status", "NetStream.Unpublish.Success", Arg(arguments, 0) as string ?? "")).ConfigureAwait(false);
                await ReplyAsync(transaction, null, AmfUndefined.Value).ConfigureAwait(false);
                break;
            case "_checkbw":
                await ReplyAsync(transaction, null, AmfUndefined.Value).ConfigureAwait(false);
                await SendCommandAsync(0, "onBWDone", 0.0, null).ConfigureAwait(false);
                break;
            case "publish":
                await OnPublishAsync(Arg(arguments, 0) as string).ConfigureAwait(false);
                break;
            case "play":
                await OnPlayAsync(Arg(arguments, 0) as string).ConfigureAwait(false);
                break;
            case "deleteStream":
            case "closeStream":
                EndPublish();
                await StopPlayAsync().ConfigureAwait(false);
                break;
            case "pause":
            case "receiveAudio":
            case "receiveVideo":
            case "seek":
            default:
                RtmpLog.CommandIgnored(_logger, name);
                if (transaction > 0)
                {
                    await SendCommandAsync(0, "_error", transaction, null, Status("error", "NetConnection.Call.Failed", $"Method '{name}' is not supported.")).ConfigureAwait(false);
                }

                break;
        }
    }

    /// <summary>command name, transaction id, command object, then up to 16 arguments (AMF0).</summary>
    private static (string Name, double Transaction, object? CommandObject, List<object?> Arguments) DecodeCommand(ReadOnlySpan<byte> payload)
    {
        var reader = new Amf0Reader(payload);
        var name = reader.ReadString();
        var transaction = reader.End ? 0 : reader.ReadValue() as double? ?? 0;
        var commandObject = reader.End ? null : reader.ReadValue();
        var arguments = new List<object?>(4);
        while (!reader.End && arguments.Count < 16)
        {
            arguments.Add(reader.ReadValue());
        }

        return (name, transaction, commandObject, arguments);
    }

    private async ValueTask OnConnectAsync(double transaction, AmfObject? properties)
    {
        _app = properties?["app"] as string ?? "";
        _objectEncoding = properties?["objectEncoding"] as double? ?? 0;
        RtmpLog.Connected(_logger, _app, properties?["tcUrl"] as string, properties?["flashVer"] as string);

        await WriteAsync(_options, static (output, options, _) =>
        {
            RtmpControlMessages.WriteWindowAcknowledgementSize(output, (uint)options.WindowAckSize);
            RtmpControlMessages.WriteSetPeerBandwidth(output, (uint)options.WindowAckSize, 2);
            RtmpControlMessages.WriteSetChunkSize(output, OutChunkSize);
        }).ConfigureAwait(false);

        var serverInfo = new AmfObject
        {
            { "fmsVer", "FMS/3,5,7,7009" },
            { "capabilities", 31.0 },
            { "mode", 1.0 },
        };
        var info = Status("status", "NetConnection.Connect.Success", "Connection succeeded.");
        info.Add("objectEncoding", _objectEncoding);
        info.Add("data", new AmfObject(isEcmaArray: true) { { "version", "3,5,7,7009" }, { "server", "LiveRelay" } });
        await SendCommandAsync(0, "_result", transaction, serverInfo, info).ConfigureAwait(false);
    }

    private ValueTask ReplyAsync(double transaction, object? commandObject, object? result) =>
        transaction > 0 ? SendCommandAsync(0, "_result", transaction, commandObject, result) : ValueTask.CompletedTask;

    private ValueTask SendStatusAsync(string level, string code, string description) =>
        SendCommandAsync(MediaStreamId, "onStatus", 0.0, null, Status(level, code, description));

    private async ValueTask SendCommandAsync(uint streamId, string name, params object?[] values)
    {
        var payload = new ArrayBufferWriter<byte>(256);
        Amf0Writer.WriteString(payload, name);
        foreach (var value in values)
        {
            Amf0Writer.WriteValue(payload, value);
        }

        await WriteAsync((payload, streamId), static (output, state, chunkSize) =>
            RtmpChunkWriter.WriteMessage(output, RtmpChunkWriter.CommandChunkStream, RtmpMessageType.CommandAmf0, state.streamId, 0, state.payload.WrittenSpan, default, chunkSize)).ConfigureAwait(false);
    }

    private static AmfObject Status(string level, string code, string description) => new()
    {
        { "level", level },
        { "code", code },
        { "description", description },
    };

    private static object? Arg(List<object?> arguments, int index) => index < arguments.Count ? arguments[index] : null;

    /// <summary>Ends the connection once what is queued has been flushed.</summary>
    private void RequestClose() => _closeRequested = true;

    private static string Describe(PublishStatus status, string path) => status switch
    {
        PublishStatus.AlreadyPublishing => $"Stream {path} is already being published.",
        PublishStatus.InvalidPath => $"'{path}' is not a valid stream path.",
        PublishStatus.Reserved => $"'{path}' is reserved for the server's program outputs.",
        PublishStatus.ShuttingDown => "The server is shutting down; publish again in a moment.",
        PublishStatus.TooManyPublishers => $"The server publishes as many streams as it may (LiveRelay:Limits:MaxPublishers); {path} cannot start now.",
        PublishStatus.TookOver => $"{path} is now published (the previous session was taken over).",
        _ => $"{path} is now published.",
    };
}
