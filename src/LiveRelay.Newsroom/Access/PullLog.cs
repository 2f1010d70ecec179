using System.Threading.Channels;
using LiveRelay.Newsroom.Model;
using LiveRelay.Newsroom.Storage;
using Microsoft.Extensions.Logging;

namespace LiveRelay.Newsroom.Access;

/// <summary>
/// Writes pull records in the background, in order, so a play never waits for the database. Bounded:
/// under a flood the oldest pending writes are dropped and counted rather than memory growing.
/// </summary>
public sealed partial class PullLog : IAsyncDisposable
{
    private static readonly TimeSpan[] s_retryDelays = [TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8)];

    private const int Capacity = 10_000;
    private readonly Channel<Entry> _writes;
    private readonly INewsroomStore _store;
    private readonly ILogger<PullLog> _logger;
    private readonly Task _writer;
    private long _dropped;

    public PullLog(INewsroomStore store, ILogger<PullLog> logger)
    {
        _store = store;
        _logger = logger;
        _writes = Channel.CreateBounded<Entry>(
            new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest },
            OnDropped);
        _writer = Task.Run(WriteAsync);
    }

    /// <summary>Records dropped because the database could not keep up.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public void Started(PullRecord pull) => _writes.Writer.TryWrite(new Entry(store => store.AddPullAsync(pull), null));

    public void Ended(string id, DateTimeOffset at, long bytes, string? reason) =>
        _writes.Writer.TryWrite(new Entry(store => store.EndPullAsync(id, at, bytes, reason), null));

    /// <summary>Completes when everything queued so far is written or dropped (tests, shutdown).</summary>
    public Task FlushAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_writes.Writer.TryWrite(new Entry(null, done)))
        {
            done.TrySetResult();
        }

        return done.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _writes.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }

    private void OnDropped(Entry entry)
    {
        // A flush marker pushed out by a flood still completes: what was before it is gone too.
        entry.Flushed?.TrySetResult();
        if (entry.Write is not null && Interlocked.Increment(ref _dropped) % 1000 == 1)
        {
            Log.Dropped(_logger, Dropped);
        }
    }

    private async Task WriteAsync()
    {
        await foreach (var entry in _writes.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (entry.Flushed is { } flushed)
            {
                flushed.TrySetResult();
                continue;
            }

            // A database that is restarting or locked gets a few tries over ~15 s before the entry is given up.
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    await entry.Write!(_store).ConfigureAwait(false);
                    break;
                }
                catch (Exception ex) when (attempt < s_retryDelays.Length)
                {
                    Log.WriteRetried(_logger, attempt + 1, ex.Message);
                    await Task.Delay(s_retryDelays[attempt]).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    Log.WriteFailed(_logger, ex);
                    break;
                }
            }
        }
    }

    /// <summary>A write, or a flush marker.</summary>
    private sealed record Entry(Func<INewsroomStore, Task>? Write, TaskCompletionSource? Flushed);

    private static partial class Log
    {
        [LoggerMessage(2320, LogLevel.Error, "Could not write to the pull log")]
        public static partial void WriteFailed(ILogger logger, Exception exception);

        [LoggerMessage(2322, LogLevel.Warning, "Pull log write failed (try {Attempt}), trying again: {Reason}")]
        public static partial void WriteRetried(ILogger logger, int attempt, string reason);

        [LoggerMessage(2321, LogLevel.Warning, "The pull log cannot keep up: {Dropped} records dropped so far")]
        public static partial void Dropped(ILogger logger, long dropped);
    }
}
