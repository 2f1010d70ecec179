using System.Globalization;
using System.Net;
using LiveRelay.LoadTest.Cli;
using LiveRelay.Protocols.Srt;

namespace LiveRelay.LoadTest.Players;

/// <summary>
/// An SRT viewer through the repository's libsrt binding: a caller socket with
/// <c>streamid=read:live/stream</c> and the server's latency, bound to the loop's shared local port,
/// connected (blocking handshake, off the join loop's thread), then made non-blocking and handed to the
/// run's one <see cref="SrtReceiveLoop"/>. MPEG-TS is scanned (<see cref="TsKeyframeScanner"/>) until
/// the first video keyframe packet, which marks the time to first frame; after that it only counts bytes.
/// </summary>
internal sealed class SrtPlayer : Player
{
    private static readonly TimeSpan ConnectTimeLimit = TimeSpan.FromSeconds(5);

    private readonly Lazy<SrtReceiveLoop> _loop;
    private readonly IPEndPoint _endPoint;
    private readonly string _streamId;
    private readonly int _latencyMs;
    private readonly TsKeyframeScanner _scanner = new();
    private readonly object _lock = new();
    private readonly TaskCompletionSource _firstFrame = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private SrtSocket? _socket;
    private SrtReceiveTotals _lastTotals;

    public SrtPlayer(int id, Uri uri, Lazy<SrtReceiveLoop> loop)
        : base(id, uri)
    {
        _loop = loop;
        _endPoint = new IPEndPoint(IPAddress.Parse(uri.Host), uri.Port);
        var query = ParseQuery(uri);
        _streamId = query.TryGetValue("streamid", out var streamId) && streamId.Length > 0
            ? streamId
            : throw new ArgumentException($"{uri} has no streamid", nameof(uri));

        // As in ffmpeg's srt:// URLs, latency is in microseconds.
        _latencyMs = query.TryGetValue("latency", out var latency) && long.TryParse(latency, NumberStyles.None, CultureInfo.InvariantCulture, out var us)
            ? (int)(us / 1000)
            : 120;
    }

    public override PlayerProtocol Protocol => PlayerProtocol.Srt;

    /// <summary>libsrt's receive counters of this reader (the last ones read, once the link is broken or closed).</summary>
    public SrtReceiveTotals LinkTotals
    {
        get
        {
            lock (_lock)
            {
                return ReadTotals();
            }
        }
    }

    protected override async Task PlayAsync(CancellationToken cancellationToken)
    {
        var socket = SrtSocket.Create();
        try
        {
            socket.SetStreamId(_streamId);
            socket.SetLatency(_latencyMs);
            socket.SetConnectTimeout((int)ConnectTimeLimit.TotalMilliseconds);
            socket.Bind(_loop.Value.LocalEndPoint);

            // The handshake blocks for a few round trips: not on the join loop's thread.
            await Task.Run(() => Connect(socket), cancellationToken).ConfigureAwait(false);
            socket.SetBlocking(false);
            lock (_lock)
            {
                _socket = socket;
            }

            _loop.Value.Add(this, socket);
            using (var deadline = FirstFrameDeadline(cancellationToken))
            {
                await Task.WhenAny(_firstFrame.Task, _ended.Task).WaitAsync(deadline.Token).ConfigureAwait(false);
            }

            await _ended.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (_loop.IsValueCreated)
            {
                _loop.Value.Remove(socket);
            }

            lock (_lock)
            {
                if (_socket is not null)
                {
                    ReadTotals();
                    _socket = null;
                }

                socket.Dispose();
            }
        }
    }

    /// <summary>
    /// Called on the loop thread when the socket is readable: receives every ready message into the
    /// shared <paramref name="buffer"/>. False (with the socket in <paramref name="ended"/>) when the
    /// link ended; the player then stops with the reason.
    /// </summary>
    public bool OnReadable(byte[] buffer, out SrtSocket? ended)
    {
        lock (_lock)
        {
            ended = _socket;
            if (_socket is null)
            {
                // Being stopped: PlayAsync has taken the socket off the loop already.
                return true;
            }

            try
            {
                while (true)
                {
                    var length = _socket.TryReceive(buffer);
                    if (length < 0)
                    {
                        return true;
                    }

                    if (length == 0)
                    {
                        // Broken (the server cut it off, or it timed out) or Closed: say which.
                        var status = _socket.Status;
                        _ended.TrySetException(new EndOfStreamException(HasFirstFrame
                            ? $"the SRT link ended ({status})"
                            : $"the SRT link ended ({status}) before the first keyframe"));
                        return false;
                    }

                    AddBytes(length);
                    if (!HasFirstFrame && _scanner.Feed(buffer.AsSpan(0, length)))
                    {
                        MarkFirstFrame();
                        _firstFrame.TrySetResult();
                    }
                }
            }
            catch (SrtException ex)
            {
                _ended.TrySetException(new IOException($"SRT receive failed: {ex.Message}", ex));
                return false;
            }
        }
    }

    /// <summary>Reads libsrt's counters while the socket has them (bstats fails on a broken link). Under <see cref="_lock"/>.</summary>
    private SrtReceiveTotals ReadTotals()
    {
        if (_socket is { } socket)
        {
            try
            {
                _lastTotals = SrtReceiveTotals.Of(socket.GetStatistics());
            }
            catch (SrtException)
            {
                // The link broke: keep the last figures.
            }
        }

        return _lastTotals;
    }

    private void Connect(SrtSocket socket)
    {
        try
        {
            socket.Connect(_endPoint);
        }
        catch (SrtException ex)
        {
            // The server refuses before accept with an SRT_REJX code (404: nothing live at the path).
            throw new IOException($"SRT connect failed: {ex.Message}; reject reason {socket.RejectReason}", ex);
        }
    }

    /// <summary>The query of an srt:// URI (<c>?streamid=…&amp;latency=…</c>), percent-decoded.</summary>
    private static Dictionary<string, string> ParseQuery(Uri uri)
    {
        var text = uri.OriginalString;
        var start = text.IndexOf('?', StringComparison.Ordinal);
        var query = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (start < 0)
        {
            return query;
        }

        foreach (var pair in text[(start + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? pair : pair[..equals];
            query[Uri.UnescapeDataString(key)] = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..]);
        }

        return query;
    }
}
