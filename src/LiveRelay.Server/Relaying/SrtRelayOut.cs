using System.Globalization;
using System.Net;
using System.Web;
using LiveRelay.Core.Buffers;
using LiveRelay.Core.Media;
using LiveRelay.Core.Streams;
using LiveRelay.Formats.Ts;
using LiveRelay.Newsroom.Model;
using LiveRelay.Protocols.Srt;

namespace LiveRelay.Server.Relaying;

/// <summary>
/// Relay-out to an SRT listener (<c>srt://host:port?streamid=…&amp;passphrase=…&amp;latency=ms</c>):
/// an SRT caller sending MPEG-TS in 1316-byte messages (tables before every keyframe). The connect
/// blocks, so it runs on a thread of its own; sends are non-blocking, and a target that cannot take
/// the stream (its buffer full) is dropped and retried.
/// </summary>
public sealed class SrtRelayOut(RelayDefinition definition, Uri url, RelayContext context)
    : RelayOut(definition, $"srt://{url.Host}:{url.Port}", context)
{
    private const int ConnectTimeoutMs = 5000;

    protected override async Task<bool> PushAsync(LiveStream stream)
    {
        Attempt();
        using var socket = await Task.Factory.StartNew(Connect, Stopping, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
        using var closeOnStop = Stopping.Register(socket.Dispose);
        socket.SetBlocking(false);
        using var reader = stream.Subscribe("relay", ShownUrl);
        using var stop = Stopping.Register(static r => ((MediaReader)r!).Dispose(), reader);
        var writer = new PooledBufferWriter(64 * 1024);
        TsMuxer? muxer = null;
        var sentAny = false;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                var frames = 0;
                while (reader.TryRead(out var frame))
                {
                    try
                    {
                        if (!TsMuxer.CanCarry(frame.Track.Codec))
                        {
                            continue;
                        }

                        if (muxer is null)
                        {
                            if (!frame.IsKeyframe && stream.VideoTrack is not null)
                            {
                                continue;
                            }

                            muxer = new TsMuxer(
                                stream.VideoTrack is { } v && TsMuxer.CanCarry(v.Codec) ? v : null,
                                stream.AudioTrack is { Codec: CodecId.Aac } a ? a : null);
                        }

                        if (frame.IsKeyframe)
                        {
                            muxer.WriteTables(writer);
                        }

                        muxer.WriteFrame(frame, writer);
                        frames++;
                    }
                    finally
                    {
                        frame.Release();
                    }
                }

                if (writer.WrittenCount > 0)
                {
                    var chunk = writer.Detach(64 * 1024);
                    try
                    {
                        var ts = chunk.Span;
                        for (var offset = 0; offset < ts.Length; offset += SrtSocket.LivePayloadSize)
                        {
                            socket.Send(ts.Slice(offset, Math.Min(SrtSocket.LivePayloadSize, ts.Length - offset)));
                        }

                        Sent(ts.Length, frames);
                        sentAny |= frames > 0;
                    }
                    finally
                    {
                        chunk.Release();
                    }
                }
            }
        }
        finally
        {
            Ended();
            writer.Release();
        }

        return sentAny;
    }

    private SrtSocket Connect()
    {
        var query = HttpUtility.ParseQueryString(url.Query);
        var address = IPAddress.TryParse(url.Host, out var ip) ? ip : Dns.GetHostAddresses(url.Host).First();
        var socket = SrtSocket.Create();
        try
        {
            socket.SetConnectTimeout(ConnectTimeoutMs);
            if (query["latency"] is { } latency && int.TryParse(latency, NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
            {
                socket.SetLatency(ms);
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
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
