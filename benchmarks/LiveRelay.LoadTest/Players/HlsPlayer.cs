using LiveRelay.LoadTest.Cli;

namespace LiveRelay.LoadTest.Players;

/// <summary>
/// An HLS viewer: polls the playlist every half target duration, starts at the newest segment,
/// then downloads each new segment once, streaming it through one reusable buffer and counting
/// bytes. Time to first frame is the time until the first segment is fully downloaded.
/// </summary>
internal sealed class HlsPlayer : Player
{
    private static readonly TimeSpan RequestTimeLimit = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MinimumPoll = TimeSpan.FromMilliseconds(250);

    private readonly HttpClient _http;
    private long _missed;

    public HlsPlayer(int id, Uri uri, HttpClient http)
        : base(id, uri)
    {
        _http = http;
    }

    public override PlayerProtocol Protocol => PlayerProtocol.Hls;

    /// <summary>The playlist's target duration as last seen, or null before the first playlist.</summary>
    public TimeSpan? TargetDuration { get; private set; }

    /// <summary>Segments that left the playlist (or answered 404) before this player fetched them.</summary>
    public long MissedSegments => Volatile.Read(ref _missed);

    protected override async Task PlayAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[ReceiveBufferSize];
        long next = -1;
        using var deadline = FirstFrameDeadline(cancellationToken);
        while (true)
        {
            var token = HasFirstFrame ? cancellationToken : deadline.Token;
            var playlist = await FetchPlaylistAsync(token).ConfigureAwait(false);
            TargetDuration = playlist.TargetDuration;
            if (next < 0 && playlist.Segments.Count > 0)
            {
                next = playlist.Segments[^1].Sequence;
            }

            if (next >= 0 && next < playlist.MediaSequence)
            {
                Volatile.Write(ref _missed, _missed + (playlist.MediaSequence - next));
                next = playlist.MediaSequence;
            }

            foreach (var segment in playlist.Segments)
            {
                if (segment.Sequence < next)
                {
                    continue;
                }

                if (await DownloadAsync(segment.Uri, buffer, HasFirstFrame ? cancellationToken : deadline.Token).ConfigureAwait(false))
                {
                    AddMedia(segment.Duration);
                    MarkFirstFrame();
                }
                else
                {
                    Volatile.Write(ref _missed, _missed + 1);
                }

                next = segment.Sequence + 1;
            }

            if (playlist.Ended)
            {
                return;
            }

            var poll = playlist.TargetDuration / 2;
            await Task.Delay(poll < MinimumPoll ? MinimumPoll : poll, HasFirstFrame ? cancellationToken : deadline.Token).ConfigureAwait(false);
        }
    }

    private async Task<HlsPlaylist> FetchPlaylistAsync(CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(RequestTimeLimit);
        var text = await _http.GetStringAsync(Uri, limit.Token).ConfigureAwait(false);
        AddBytes(text.Length);
        return HlsPlaylist.Parse(text, Uri) ?? throw new InvalidDataException("the playlist is not an HLS media playlist");
    }

    /// <summary>Streams a segment through the buffer, counting bytes; false when it is gone (404).</summary>
    private async Task<bool> DownloadAsync(Uri uri, byte[] buffer, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(RequestTimeLimit);
        using var response = await _http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, limit.Token).ConfigureAwait(false);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return false;
        }

        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsStreamAsync(limit.Token).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            while (true)
            {
                var read = await body.ReadAsync(buffer, limit.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    return true;
                }

                AddBytes(read);
            }
        }
    }
}
