using System.Buffers.Binary;
using LiveRelay.Core.Media;
using LiveRelay.Core.Streams;
using LiveRelay.Formats.Rtp;
using LiveRelay.Formats.Sdp;
using LiveRelay.Newsroom.Model;
using LiveRelay.Protocols.Rtsp;

namespace LiveRelay.Server.Pulling;

/// <summary>
/// An <c>rtsp://</c> or <c>rtsps://</c> <c>[user:password@]host[:port]/path</c> pull (IP cameras):
/// DESCRIBE, SETUP of the tracks that can be carried with RTP interleaved on the control connection
/// (transport <c>tcp</c>, the default) or over UDP (<c>udp</c>), PLAY, keep-alive every 25 s; RTCP
/// sender reports put the tracks on one timeline; over UDP a reorder buffer puts packets back in
/// order and receiver reports go back to the camera. Tracks of other codecs are left out with one log line.
/// </summary>
public sealed class RtspPullSource(PullDefinition definition, Uri url, PullContext context)
    : PullSource(definition, $"{url.Scheme}://{url.Authority}{url.AbsolutePath}", context)
{
    private static readonly TimeSpan s_connectTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_keepAlive = TimeSpan.FromSeconds(25);
    private static readonly TimeSpan s_receiverReports = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_videoWait = TimeSpan.FromSeconds(5);

    /// <summary>How long a gap in the RTP sequence over UDP is waited for before the packets after it go on.</summary>
    private static readonly TimeSpan s_reorderHold = TimeSpan.FromMilliseconds(100);

    protected override async Task<bool> PullOnceAsync()
    {
        Attempt();
        using var connect = CancellationTokenSource.CreateLinkedTokenSource(Stopping);
        connect.CancelAfter(s_connectTimeout);
        try
        {
            await using var client = await RtspClient.ConnectAsync(url, connect.Token).ConfigureAwait(false);
            return await PlayAsync(client, connect.Token).ConfigureAwait(false);
        }
        catch (RtspClientException ex) when (ex.IsRefusal)
        {
            throw new PullRefusedException(ex.Message);
        }
    }

    private async Task<bool> PlayAsync(RtspClient client, CancellationToken connecting)
    {
        var (sdp, baseUrl) = await client.DescribeAsync(connecting).ConfigureAwait(false);
        var clock = new RtspSessionClock();
        var tracks = new List<(MediaDescription Media, RtspTrackAssembler Assembler)>();
        StreamPublisher? publisher = null;
        TrackInfo? video = null, audio = null;
        var frames = 0;
        var awaitVideo = sdp.Media.Any(m => m.Media == "video" && RtspTrackAssembler.WhyNotCarried(m) is null);
        var playing = 0L;
        var sawVideo = false;
        void OnFrame(TrackInfo track, MediaFrame frame)
        {
            sawVideo |= track.Kind == MediaKind.Video;
            if (awaitVideo && !sawVideo && Time.GetElapsedTime(playing) < s_videoWait)
            {
                // Audio before the first video frame would make players (and the HLS segmenter) start audio-only.
                frame.Release();
                return;
            }

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
            if (RtspTrackAssembler.WhyNotCarried(media) is { } reason)
            {
                Log.TrackLeftOut(Logger, Definition.Path, $"{media.Media} {media.Encoding}/{media.ClockRate}", reason);
                continue;
            }

            tracks.Add((media, new RtspTrackAssembler(media, OnFrame, clock)));
        }

        if (tracks.Count == 0)
        {
            throw new PullRefusedException($"the camera offers no track that can be carried ({string.Join(", ", sdp.Media.Select(m => $"{m.Media} {m.Encoding}"))}); H.264, H.265 and AAC are");
        }

        await using var udp = Definition.Transport == "udp" ? RtspUdpReceiver.Open(client.LocalAddress, client.RemoteAddress, tracks.Count) : null;
        var serverRtcp = new List<int?>();
        for (var i = 0; i < tracks.Count; i++)
        {
            var transport = udp is null
                ? await client.SetupAsync(baseUrl, tracks[i].Media, 2 * i, connecting).ConfigureAwait(false)
                : await client.SetupUdpAsync(baseUrl, tracks[i].Media, udp.RtpPort(i), connecting).ConfigureAwait(false);
            serverRtcp.Add(transport.ServerRtcpPort);
        }

        await client.PlayAsync(baseUrl, sdp.Control, connecting).ConfigureAwait(false);
        foreach (var (media, assembler) in tracks)
        {
            assembler.SetStart(client.RtpInfoFor(baseUrl, media)?.RtpTime);
        }

        publisher = PublishAtPath(url.Scheme == "rtsps" ? "rtsps-pull" : "rtsp-pull");
        playing = Time.GetTimestamp();
        using (publisher)
        {
            // Tracks whose configuration the SDP gave are announced before any frame, so players see every track from the start.
            foreach (var (_, assembler) in tracks)
            {
                if (assembler.Track is { } known)
                {
                    publisher.SetTrack(known);
                    if (known.Kind == MediaKind.Video)
                    {
                        video = known;
                    }
                    else
                    {
                        audio = known;
                    }
                }
            }

            using var session = new Session(this, client, udp, tracks, () => Interlocked.Exchange(ref frames, 0));
            return udp is null ? await session.ReadInterleavedAsync().ConfigureAwait(false) : await session.ReadUdpAsync(serverRtcp).ConfigureAwait(false);
        }
    }

    /// <summary>One playing session: reads packets, hands RTP to the assemblers and RTCP sender reports to the clock, keeps the session alive.</summary>
    private sealed class Session(
        RtspPullSource pull,
        RtspClient client,
        RtspUdpReceiver? udp,
        List<(MediaDescription Media, RtspTrackAssembler Assembler)> tracks,
        Func<int> takeFrames) : IDisposable
    {
        private readonly RtpReorderBuffer[] _reorder = [.. tracks.Select(_ => new RtpReorderBuffer((long)(pull.Time.TimestampFrequency * s_reorderHold.TotalSeconds)))];
        private readonly uint _ssrc = (uint)Random.Shared.Next();
        private long _lastKeepAlive = pull.Time.GetTimestamp();
        private long _lastReport;
        private bool _received;

        public void Dispose()
        {
            foreach (var reorder in _reorder)
            {
                reorder.Dispose();
            }
        }

        public async Task<bool> ReadInterleavedAsync()
        {
            var buffer = new byte[65536];
            var lastBytes = client.BytesReceived;
            while (true)
            {
                (byte Channel, int Length)? next;
                using (var quiet = CancellationTokenSource.CreateLinkedTokenSource(pull.Stopping))
                {
                    quiet.CancelAfter(ReadTimeout);
                    try
                    {
                        next = await client.ReadFrameAsync(buffer, quiet.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!pull.Stopping.IsCancellationRequested)
                    {
                        throw new TimeoutException($"no media from the camera for {ReadTimeout.TotalSeconds:0} s");
                    }
                }

                if (next is not { } frame)
                {
                    return _received;
                }

                Dispatch(frame.Channel, buffer.AsSpan(0, frame.Length), fromUdp: false);
                Count(client.BytesReceived - lastBytes);
                lastBytes = client.BytesReceived;
                await KeepAliveAsync().ConfigureAwait(false);
            }
        }

        public async Task<bool> ReadUdpAsync(IReadOnlyList<int?> serverRtcpPorts)
        {
            udp!.Start(serverRtcpPorts);
            await SendReceiverReportsAsync().ConfigureAwait(false);

            // The control connection carries only the keep-alive answers now; its end ends the session.
            var buffer = new byte[4096];
            var control = Task.Run(async () =>
            {
                while (await client.ReadFrameAsync(buffer, pull.Stopping).ConfigureAwait(false) is not null)
                {
                }
            });
            var lastBytes = 0L;
            while (true)
            {
                UdpPacket? next;
                using (var quiet = CancellationTokenSource.CreateLinkedTokenSource(pull.Stopping))
                {
                    quiet.CancelAfter(ReadTimeout);
                    var read = udp.ReadAsync(quiet.Token).AsTask();
                    if (await Task.WhenAny(read, control).ConfigureAwait(false) == control)
                    {
                        await quiet.CancelAsync().ConfigureAwait(false);
                        await control.ConfigureAwait(false);
                        return _received;
                    }

                    try
                    {
                        next = await read.ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!pull.Stopping.IsCancellationRequested)
                    {
                        throw new TimeoutException($"no media from the camera over UDP for {ReadTimeout.TotalSeconds:0} s (a firewall between may drop it; transport \"tcp\" avoids that)");
                    }
                }

                if (next is not { } packet)
                {
                    return _received;
                }

                try
                {
                    Dispatch(packet.Channel, packet.Buffer.AsSpan(0, packet.Length), fromUdp: true);
                }
                finally
                {
                    RtspUdpReceiver.Return(packet);
                }

                Count(udp.BytesReceived - lastBytes);
                lastBytes = udp.BytesReceived;
                await KeepAliveAsync().ConfigureAwait(false);
                if (pull.Time.GetElapsedTime(_lastReport) > s_receiverReports)
                {
                    await SendReceiverReportsAsync().ConfigureAwait(false);
                }
            }
        }

        private void Dispatch(byte channel, ReadOnlySpan<byte> packet, bool fromUdp)
        {
            var track = channel / 2;
            if (track >= tracks.Count)
            {
                return;
            }

            var assembler = tracks[track].Assembler;
            if (channel % 2 == 1)
            {
                ReadRtcp(assembler, packet);
            }
            else if (!fromUdp)
            {
                assembler.Push(packet);
            }
            else
            {
                // UDP may reorder: packets go out of the reorder buffer in sequence (a gap is given up after a short hold).
                var reorder = _reorder[track];
                var now = pull.Time.GetTimestamp();
                reorder.Push(packet, now);
                while (reorder.TryPop(now, out var ordered))
                {
                    assembler.Push(ordered);
                }
            }
        }

        private static void ReadRtcp(RtspTrackAssembler assembler, ReadOnlySpan<byte> compound)
        {
            var reader = new RtcpCompoundReader(compound);
            while (reader.TryReadNext(out var packet))
            {
                if (packet.PacketType == RtcpPacketType.SenderReport && RtcpSenderReport.TryRead(packet, out var report, out _))
                {
                    assembler.OnSenderReport(report.NtpTimestamp, report.RtpTimestamp);
                }
            }
        }

        private void Count(long bytes)
        {
            var frames = takeFrames();
            pull.Received(bytes, frames);
            _received |= frames > 0;
        }

        private async Task KeepAliveAsync()
        {
            if (pull.Time.GetElapsedTime(_lastKeepAlive) > s_keepAlive)
            {
                _lastKeepAlive = pull.Time.GetTimestamp();
                await client.KeepAliveAsync(pull.Stopping).ConfigureAwait(false);
            }
        }

        /// <summary>An empty receiver report per track to the camera's RTCP port: liveness for the camera and a path through NAT.</summary>
        private async Task SendReceiverReportsAsync()
        {
            _lastReport = pull.Time.GetTimestamp();
            var report = new byte[8];
            report[0] = 0x80; // V=2, no report blocks
            report[1] = RtcpPacketType.ReceiverReport;
            BinaryPrimitives.WriteUInt16BigEndian(report.AsSpan(2), 1);
            BinaryPrimitives.WriteUInt32BigEndian(report.AsSpan(4), _ssrc);
            for (var i = 0; i < tracks.Count; i++)
            {
                await udp!.SendRtcpAsync(i, report, pull.Stopping).ConfigureAwait(false);
            }
        }
    }
}
