using System.Diagnostics;
using System.Net.Sockets;
using LiveRelay.LoadTest.Cli;

namespace LiveRelay.LoadTest.Players;

/// <summary>
/// One simulated viewer. A player parses only as far as its first keyframe (or first HLS
/// segment), records the time to it, and from then on only counts bytes into one reusable
/// buffer. Counters have a single writer (the player's own loop) and are read by the
/// measurement with <see cref="Volatile"/>.
/// </summary>
internal abstract class Player
{
    /// <summary>Receive buffer of every player: one per player, reused for every read.</summary>
    protected const int ReceiveBufferSize = 32 * 1024;

    /// <summary>Time allowed for connecting and for the first frame.</summary>
    protected static readonly TimeSpan StartTimeLimit = TimeSpan.FromSeconds(20);

    private long _bytes;
    private long _mediaMilliseconds;
    private long _firstFrameAt;
    private long _startedAt;

    protected Player(int id, Uri uri)
    {
        Id = id;
        Uri = uri;
    }

    public int Id { get; }

    public Uri Uri { get; }

    public abstract PlayerProtocol Protocol { get; }

    /// <summary>Bytes received from the server so far (payload bytes for HTTP, socket bytes for RTMP, MPEG-TS message bytes for SRT).</summary>
    public long BytesReceived => Volatile.Read(ref _bytes);

    /// <summary>Media time received so far, in ms (HLS: the EXTINF of each fully downloaded segment); 0 for other protocols.</summary>
    public long MediaMilliseconds => Volatile.Read(ref _mediaMilliseconds);

    /// <summary>Time from the start of the player to its first keyframe (HLS: its first whole segment), or null.</summary>
    public TimeSpan? TimeToFirstFrame
    {
        get
        {
            var first = Volatile.Read(ref _firstFrameAt);
            return first == 0 ? null : Stopwatch.GetElapsedTime(_startedAt, first);
        }
    }

    /// <summary>Why the player stopped before it was told to, or null.</summary>
    public string? Error { get; private set; }

    /// <summary>Plays until <paramref name="cancellationToken"/> fires; never throws.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _startedAt = Stopwatch.GetTimestamp();
        try
        {
            await PlayAsync(cancellationToken).ConfigureAwait(false);
            if (!cancellationToken.IsCancellationRequested)
            {
                Error = "the server ended the stream";
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Told to stop: the normal end.
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Error = Describe(ex);
        }
        catch (Exception)
        {
            // Failures while being stopped (a reset socket) are not the server's fault.
        }
    }

    protected abstract Task PlayAsync(CancellationToken cancellationToken);

    protected void AddBytes(int count) => Volatile.Write(ref _bytes, _bytes + count);

    protected void AddMedia(TimeSpan duration) => Volatile.Write(ref _mediaMilliseconds, _mediaMilliseconds + (long)duration.TotalMilliseconds);

    protected bool HasFirstFrame => _firstFrameAt != 0;

    protected void MarkFirstFrame()
    {
        if (_firstFrameAt == 0)
        {
            Volatile.Write(ref _firstFrameAt, Stopwatch.GetTimestamp());
        }
    }

    /// <summary>Fails with a clear message when the first frame has not come within the limit.</summary>
    protected CancellationTokenSource FirstFrameDeadline(CancellationToken cancellationToken)
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(StartTimeLimit);
        return deadline;
    }

    private string Describe(Exception ex) => ex switch
    {
        OperationCanceledException when HasFirstFrame => "a request timed out",
        OperationCanceledException => $"no first frame within {StartTimeLimit.TotalSeconds:0} s",
        SocketException s => $"socket: {s.SocketErrorCode}",
        HttpRequestException h when h.StatusCode is { } status => $"HTTP {(int)status}",
        HttpRequestException h => $"HTTP: {h.HttpRequestError}",
        EndOfStreamException e => e.Message,
        IOException io => $"I/O: {io.Message}",
        _ => $"{ex.GetType().Name}: {ex.Message}",
    };
}
