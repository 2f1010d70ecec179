using LiveRelay.Core.Streams;
using LiveRelay.Formats.Flv;
using LiveRelay.Formats.Media;
using LiveRelay.Newsroom.Model;
using LiveRelay.Protocols.Rtmp.Chunks;
using LiveRelay.Protocols.Rtmp.Client;

namespace LiveRelay.Server.Pulling;

/// <summary>An <c>rtmp://</c> pull: plays the URL and turns its FLV bodies into media frames.</summary>
public sealed class RtmpPullSource(PullDefinition definition, RtmpUrl url, PullContext context)
    : PullSource(definition, url.ToString(), context)
{
    private static readonly TimeSpan s_connectTimeout = TimeSpan.FromSeconds(10);

    protected override async Task<bool> PullOnceAsync()
    {
        Attempt();
        using var connect = CancellationTokenSource.CreateLinkedTokenSource(Stopping);
        connect.CancelAfter(s_connectTimeout);
        await using var client = await RtmpClient.ConnectAsync(url, connect.Token).ConfigureAwait(false);
        await client.PlayAsync(connect.Token).ConfigureAwait(false);
        using var publisher = PublishAtPath("rtmp-pull");
        var media = new FlvMediaReader();
        var received = false;
        var lastBytes = client.BytesReceived;
        while (true)
        {
            using var quiet = CancellationTokenSource.CreateLinkedTokenSource(Stopping);
            quiet.CancelAfter(ReadTimeout);
            RtmpMessage? next;
            try
            {
                next = await client.ReadMessageAsync(quiet.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!Stopping.IsCancellationRequested)
            {
                throw new TimeoutException($"no media from the source for {ReadTimeout.TotalSeconds:0} s");
            }

            if (next is not { } message)
            {
                return received;
            }

            var handedOver = Publish(publisher, media, message);
            if (!handedOver)
            {
                message.Payload.Release();
            }

            Received(client.BytesReceived - lastBytes, handedOver ? 1 : 0);
            lastBytes = client.BytesReceived;
            received |= handedOver;
        }
    }

    /// <summary>Publishes an audio/video message as a frame; true when the payload was handed over.</summary>
    private bool Publish(StreamPublisher publisher, FlvMediaReader media, in RtmpMessage message)
    {
        if (message.TypeId == RtmpMessageType.DataAmf0)
        {
            if (FlvScriptData.TryReadScriptData(message.Span, out var name, out var data) && data is not null && name is "onMetaData" or "@setDataFrame")
            {
                publisher.SetMetadata(FlvMediaWriter.ToPlainValues(data));
            }

            return false;
        }

        var type = message.TypeId == RtmpMessageType.Video ? FlvTagType.Video : FlvTagType.Audio;
        switch (media.Read(type, message.Payload, message.Timestamp, out var frame, out var track, out var problem))
        {
            case FlvMediaResult.Frame:
                publisher.Write(frame!);
                return true;
            case FlvMediaResult.TrackChanged:
                publisher.SetTrack(track!);
                return false;
            default:
                if (problem is not null)
                {
                    Log.MediaIgnored(Logger, Definition.Path, problem);
                }

                return false;
        }
    }
}
