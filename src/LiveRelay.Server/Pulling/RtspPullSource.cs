using LiveRelay.Core.Media;
using LiveRelay.Core.Streams;
using LiveRelay.Protocols.Rtsp;

namespace LiveRelay.Server.Pulling;

/// <summary>
/// An <c>rtsp://[user:password@]host[:port]/path</c> pull (IP cameras): DESCRIBE, SETUP of the H.264
/// and AAC tracks with RTP interleaved on the control connection, PLAY, keep-alive every 25 s; the
/// tracks' RTP becomes media frames at the path. Tracks of other codecs are left out with one log line.
/// </summary>
public sealed class RtspPullSource(PullDefinition definition, Uri url, StreamHub hub, TimeProvider time, ILogger logger)
    : PullSource(definition, $"rtsp://{url.Authority}{url.AbsolutePath}", hub, time, logger)
{
    private static readonly TimeSpan s_connectTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_keepAlive = TimeSpan.FromSeconds(25);

    protected override async Task<bool> PullOnceAsync()
    {
        Attempt();
        using var connect = CancellationTokenSource.CreateLinkedTokenSource(Stopping);
        connect.CancelAfter(s_connectTimeout);
        await using var client = await RtspClient.ConnectAsync(url, connect.Token).ConfigureAwait(false);
        var (sdp, baseUrl) = await client.DescribeAsync(connect.Token).ConfigureAwait(false);
        var assemblers = new Dictionary<int, RtspTrackAssembler>();
        StreamPublisher? publisher = null;
        TrackInfo? video = null, audio = null;
        var frames = 0;
        void OnFrame(TrackInfo track, MediaFrame frame)
        {
            ref var known = ref track.Kind == MediaKind.Video ? ref video : ref audio;
            if (!ReferenceEquals(known, track))
            {
                known = track;
                publisher!.SetTrack(track);
            }

            publisher!.Write(frame);
            frames++;
        }

        foreach (var media in sdp.Media)
        {
            if (!RtspTrackAssembler.Supports(media))
            {
                Log.MediaIgnored(Logger, Definition.Path, $"{media.Media} track {media.Encoding}/{media.ClockRate} is not carried (H.264 and AAC are)");
                continue;
            }

            var channel = assemblers.Count * 2;
            await client.SetupAsync(baseUrl, media, channel, connect.Token).ConfigureAwait(false);
            assemblers[channel] = new RtspTrackAssembler(media, OnFrame);
        }

        if (assemblers.Count == 0)
        {
            throw new InvalidDataException("the camera offers no track that can be carried (H.264, AAC)");
        }

        await client.PlayAsync(baseUrl, sdp.Control, connect.Token).ConfigureAwait(false);
        publisher = PublishAtPath("rtsp-pull");
        using (publisher)
        {
            var buffer = new byte[65536];
            var received = false;
            var lastBytes = client.BytesReceived;
            var lastKeepAlive = Time.GetTimestamp();
            while (true)
            {
                using var quiet = CancellationTokenSource.CreateLinkedTokenSource(Stopping);
                quiet.CancelAfter(ReadTimeout);
                (byte Channel, int Length)? next;
                try
                {
                    next = await client.ReadFrameAsync(buffer, quiet.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!Stopping.IsCancellationRequested)
                {
                    throw new TimeoutException($"no media from the camera for {ReadTimeout.TotalSeconds:0} s");
                }

                if (next is not { } frame)
                {
                    return received;
                }

                frames = 0;
                if (assemblers.TryGetValue(frame.Channel, out var assembler))
                {
                    assembler.Push(buffer.AsSpan(0, frame.Length));
                }

                Received(client.BytesReceived - lastBytes, frames);
                lastBytes = client.BytesReceived;
                received |= frames > 0;
                if (Time.GetElapsedTime(lastKeepAlive) > s_keepAlive)
                {
                    lastKeepAlive = Time.GetTimestamp();
                    await client.KeepAliveAsync(Stopping).ConfigureAwait(false);
                }
            }
        }
    }
}
