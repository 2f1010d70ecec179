using LiveRelay.LoadTest.Cli;

namespace LiveRelay.LoadTest.Players;

/// <summary>
/// An HTTP-FLV viewer: one streaming GET (headers read, body streamed), FLV scanned until the
/// first AVC keyframe, then bytes only counted into one reusable buffer.
/// </summary>
internal sealed class FlvPlayer : Player
{
    private readonly HttpClient _http;

    public FlvPlayer(int id, Uri uri, HttpClient http)
        : base(id, uri)
    {
        _http = http;
    }

    public override PlayerProtocol Protocol => PlayerProtocol.Flv;

    protected override async Task PlayAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[ReceiveBufferSize];
        using var request = new HttpRequestMessage(HttpMethod.Get, Uri);
        var deadline = FirstFrameDeadline(cancellationToken);
        HttpResponseMessage? response = null;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            var body = await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false);
            var scanner = new FlvKeyframeScanner();
            while (!scanner.Found)
            {
                var read = await body.ReadAsync(buffer, deadline.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new EndOfStreamException("the server ended the response before the first keyframe");
                }

                AddBytes(read);
                if (scanner.Feed(buffer.AsSpan(0, read)))
                {
                    MarkFirstFrame();
                }
            }

            deadline.Dispose();

            // Counting only: the same buffer for every read, no parsing.
            while (true)
            {
                var read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                AddBytes(read);
            }
        }
        finally
        {
            deadline.Dispose();
            response?.Dispose();
        }
    }
}
