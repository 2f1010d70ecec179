using System.Globalization;
using System.Net;
using System.Web;
using LiveRelay.Core.Media;
using LiveRelay.Core.Streams;
using LiveRelay.Formats.Ts;
using LiveRelay.Newsroom.Model;
using LiveRelay.Protocols.Srt;

namespace LiveRelay.Server.Pulling;

/// <summary>
/// An <c>srt://host:port?streamid=…&amp;passphrase=…&amp;latency=ms</c> pull: an SRT caller that
/// receives MPEG-TS and demuxes it into media frames. libsrt's calls block, so one connection runs
/// on a thread of its own; removing the pull closes the socket, which ends the blocking receive.
/// </summary>
public sealed class SrtPullSource(PullDefinition definition, Uri url, PullContext context)
    : PullSource(definition, $"srt://{url.Host}:{url.Port}", context)
{
    private const int ConnectTimeoutMs = 5000;

    /// <summary>Checks an srt:// URL: host, port and the query keys used.</summary>
    public static bool TryValidate(string url, out Uri? uri, out string error)
    {
        uri = null;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var parsed) || parsed.Scheme != "srt" || parsed.Port <= 0 || parsed.Host.Length == 0)
        {
            error = "an srt://host:port[?streamid=…&passphrase=…&latency=ms] URL is required";
            return false;
        }

        var query = HttpUtility.ParseQueryString(parsed.Query);
        if (query["latency"] is { } latency && !int.TryParse(latency, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            error = "latency must be milliseconds";
            return false;
        }

        if (query["passphrase"] is { Length: < 10 or > 79 })
        {
            error = "passphrase must be 10–79 characters";
            return false;
        }

        uri = parsed;
        error = "";
        return true;
    }

    protected override Task<bool> PullOnceAsync() =>
        Task.Factory.StartNew(Pull, Stopping, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private bool Pull()
    {
        Attempt();
        var query = HttpUtility.ParseQueryString(url.Query);
        var address = IPAddress.TryParse(url.Host, out var ip) ? ip : Dns.GetHostAddresses(url.Host).First();
        using var socket = SrtSocket.Create();
        using var closeOnStop = Stopping.Register(socket.Dispose);
        socket.SetConnectTimeout(ConnectTimeoutMs);
        if (query["latency"] is { } latency)
        {
            socket.SetLatency(int.Parse(latency, CultureInfo.InvariantCulture));
        }

        if (query["passphrase"] is { } passphrase)
        {
            socket.SetPassphrase(passphrase);
        }

        if (query["streamid"] is { } streamId)
        {
            socket.SetStreamId(streamId);
        }

        socket.Connect(new IPEndPoint(address, url.Port));
        using var publisher = PublishAtPath("srt-pull");
        TrackInfo? video = null, audio = null;
        var frames = 0;
        var demuxer = new TsDemuxer((track, frame) =>
        {
            ref var known = ref track.Kind == MediaKind.Video ? ref video : ref audio;
            if (!ReferenceEquals(known, track))
            {
                known = track;
                publisher.SetTrack(track);
            }

            publisher.Write(frame);
            frames++;
        });
        var buffer = new byte[1500];
        var received = false;
        while (!Stopping.IsCancellationRequested)
        {
            int length;
            try
            {
                length = socket.Receive(buffer);
            }
            catch (SrtException) when (Stopping.IsCancellationRequested)
            {
                break;
            }

            if (length == 0)
            {
                break;
            }

            frames = 0;
            demuxer.Push(buffer.AsSpan(0, length));
            Received(length, frames);
            received |= frames > 0;
        }

        demuxer.Flush();
        return received;
    }
}
