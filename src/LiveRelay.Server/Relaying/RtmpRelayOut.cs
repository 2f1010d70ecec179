using LiveRelay.Core.Media;
using LiveRelay.Core.Streams;
using LiveRelay.Formats.Media;
using LiveRelay.Newsroom.Model;
using LiveRelay.Protocols.Rtmp.Client;

namespace LiveRelay.Server.Relaying;

/// <summary>Relay-out to an <c>rtmp://</c> server: publish, then metadata, sequence headers on every codec change, and the frames.</summary>
public sealed class RtmpRelayOut(RelayDefinition definition, RtmpUrl url, RelayContext context)
    : RelayOut(definition, url.ToString(), context)
{
    private static readonly TimeSpan s_connectTimeout = TimeSpan.FromSeconds(10);

    protected override async Task<bool> PushAsync(LiveStream stream)
    {
        Attempt();
        using var connect = CancellationTokenSource.CreateLinkedTokenSource(Stopping);
        connect.CancelAfter(s_connectTimeout);
        await using var client = await RtmpClient.ConnectAsync(url, connect.Token).ConfigureAwait(false);
        await client.PublishAsync(connect.Token).ConfigureAwait(false);

        using var session = CancellationTokenSource.CreateLinkedTokenSource(Stopping);
        using var reader = stream.Subscribe("relay", ShownUrl);
        using var registration = session.Token.Register(static r => ((MediaReader)r!).Dispose(), reader);

        // What the server sends back (acks, pings, a refusal) is read all along; its end ends the session.
        var drain = client.DrainAsync(session.Token);
        _ = drain.ContinueWith(static (_, s) => ((CancellationTokenSource)s!).Cancel(), session, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        client.WriteMetadata(FlvMediaWriter.BuildMetadata(stream.VideoTrack, stream.AudioTrack, stream.Metadata));
        TrackInfo? sentVideo = null, sentAudio = null;
        var sentAny = false;
        var lastBytes = client.BytesSent;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                var frames = 0;
                while (reader.TryRead(out var frame))
                {
                    try
                    {
                        ref var sent = ref frame.Kind == MediaKind.Video ? ref sentVideo : ref sentAudio;
                        if (!ReferenceEquals(sent, frame.Track))
                        {
                            if (!frame.Track.HasSameConfig(sent))
                            {
                                client.WriteSequenceHeader(frame);
                            }

                            sent = frame.Track;
                        }

                        client.WriteFrame(frame);
                        frames++;
                    }
                    finally
                    {
                        frame.Release();
                    }
                }

                if (!await client.FlushAsync(session.Token).ConfigureAwait(false))
                {
                    break;
                }

                Sent(client.BytesSent - lastBytes, frames);
                lastBytes = client.BytesSent;
                sentAny |= frames > 0;
            }
        }
        catch (OperationCanceledException) when (!Stopping.IsCancellationRequested)
        {
            // The target went away (the drain ended the session).
        }
        finally
        {
            Ended();
            await session.CancelAsync().ConfigureAwait(false);
            try
            {
                await drain.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or System.Net.Sockets.SocketException or RtmpClientException or Protocols.Rtmp.Chunks.RtmpProtocolException)
            {
                // Ended with the session.
            }
        }

        return sentAny;
    }
}
