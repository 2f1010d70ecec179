using LiveRelay.Core.Media;
using LiveRelay.Core.Streams;
using LiveRelay.Formats.Hls;
using LiveRelay.Formats.Mp4;
using LiveRelay.Formats.Ts;
using LiveRelay.Newsroom.Model;

namespace LiveRelay.Server.Pulling;

/// <summary>
/// An <c>http(s)://…m3u8</c> pull: follows a live HLS playlist (the highest-bandwidth variant of a
/// master playlist), fetches each new MPEG-TS segment once, in order, from the live edge on, and
/// demuxes it into the path. The playlist is re-read every half target duration; a playlist that
/// stops growing for <see cref="PullSource.ReadTimeout"/> plus a target duration, or ends
/// (#EXT-X-ENDLIST), ends the connection. fMP4 segments (#EXT-X-MAP) are not carried yet.
/// </summary>
public sealed class HlsPullSource(PullDefinition definition, Uri url, PullContext context)
    : PullSource(definition, $"{url.Scheme}://{url.Authority}{url.AbsolutePath}", context)
{
    private const long MaxSegmentBytes = 64L * 1024 * 1024;
    private const int LiveEdgeSegments = 2;

    private static readonly HttpClient s_http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = TimeSpan.FromSeconds(15),
        MaxResponseContentBufferSize = MaxSegmentBytes,
    };

    protected override async Task<bool> PullOnceAsync()
    {
        Attempt();
        var playlistUri = url;
        var playlist = await ReadPlaylistAsync(playlistUri).ConfigureAwait(false);
        if (playlist.IsMaster)
        {
            playlistUri = playlist.Variants.MaxBy(v => v.Bandwidth)!.Uri;
            playlist = await ReadPlaylistAsync(playlistUri).ConfigureAwait(false);
        }

        using var publisher = PublishAtPath("hls-pull");
        TrackInfo? video = null, audio = null;
        var frames = 0;
        void OnFrame(TrackInfo track, MediaFrame frame)
        {
            ref var known = ref track.Kind == MediaKind.Video ? ref video : ref audio;
            if (!ReferenceEquals(known, track))
            {
                known = track;
                publisher.SetTrack(track);
            }

            publisher.Write(frame);
            frames++;
        }

        var demuxer = new TsDemuxer(OnFrame);
        var fragments = new FragmentedMp4Demuxer(OnFrame);
        fragments.UnsupportedTrack += (trackId, codec) => Log.TrackLeftOut(Logger, Definition.Path, $"fMP4 track {trackId}", $"{codec} is not carried (H.264, H.265 and AAC are)");
        Uri? init = null;

        var received = false;
        var next = Math.Max(0, playlist.Segments.Count - LiveEdgeSegments) is var start && playlist.Segments.Count > 0 ? playlist.Segments[start].Sequence : 0;
        var lastNew = Time.GetTimestamp();
        while (!Stopping.IsCancellationRequested)
        {
            foreach (var segment in playlist.Segments)
            {
                if (segment.Sequence < next)
                {
                    continue;
                }

                if (segment.Map is { } map && map != init)
                {
                    fragments.ReadInit(await s_http.GetByteArrayAsync(map, Stopping).ConfigureAwait(false));
                    init = map;
                }

                var bytes = await s_http.GetByteArrayAsync(segment.Uri, Stopping).ConfigureAwait(false);
                frames = 0;
                if (segment.Map is not null)
                {
                    fragments.Push(bytes);
                }
                else
                {
                    demuxer.Push(bytes);
                }

                Received(bytes.Length, frames);
                received |= frames > 0;
                next = segment.Sequence + 1;
                lastNew = Time.GetTimestamp();
            }

            if (playlist.EndList)
            {
                break;
            }

            var target = TimeSpan.FromSeconds(Math.Clamp(playlist.TargetDurationSeconds, 1, 30));
            if (Time.GetElapsedTime(lastNew) > ReadTimeout + target)
            {
                throw new TimeoutException($"the playlist has not grown for {(ReadTimeout + target).TotalSeconds:0} s");
            }

            await Task.Delay(target / 2, Time, Stopping).ConfigureAwait(false);
            playlist = await ReadPlaylistAsync(playlistUri).ConfigureAwait(false);
            if (playlist.Segments.Count > 0 && playlist.Segments[0].Sequence > next)
            {
                // Fell behind the window (or the source restarted its numbering): go on from the live edge.
                next = playlist.Segments[Math.Max(0, playlist.Segments.Count - LiveEdgeSegments)].Sequence;
            }
        }

        demuxer.Flush();
        return received;
    }

    private async Task<HlsPlaylist> ReadPlaylistAsync(Uri uri)
    {
        using var response = await s_http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, Stopping).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new IOException($"the playlist answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }

        if (response.Content.Headers.ContentLength > HlsPlaylistReader.MaxLength)
        {
            throw new InvalidDataException($"the playlist is larger than {HlsPlaylistReader.MaxLength} bytes");
        }

        var text = await response.Content.ReadAsStringAsync(Stopping).ConfigureAwait(false);
        return HlsPlaylistReader.Parse(text, uri);
    }
}
