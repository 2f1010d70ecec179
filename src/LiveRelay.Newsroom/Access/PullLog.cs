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
    private readonly Channel<Func<INewsroomStore, Task>> _writes = Channel.CreateBounded<Func<INewsroomStore, Task>>(
        new BoundedChannelOptions(10_000) { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest });

    private readonly INewsroomStore _store;
    private readonly ILogger<PullLog> _logger;
    private readonly Task _writer;

    public PullLog(INewsroomStore store, ILogger<PullLog> logger)
    {
        _store = store;
        _logger = logger;
        _writer = Task.Run(WriteAsync);
    }

    public void Started(PullRecord pull) => _writes.Writer.TryWrite(store => store.AddPullAsync(pull));

    public void Ended(string id, DateTimeOffset at, long bytes, string? reason) => _writes.Writer.TryWrite(store => store.EndPullAsync(id, at, bytes, reason));

    /// <summary>Completes when everything queued so far is written (tests, shutdown).</summary>
    public Task FlushAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_writes.Writer.TryWrite(_ =>
        {
            done.TrySetResult();
            return Task.CompletedTask;
        }))
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

    private async Task WriteAsync()
    {
        await foreach (var write in _writes.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                await write(_store).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Log.WriteFailed(_logger, ex);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2320, LogLevel.Error, "Could not write to the pull log")]
        public static partial void WriteFailed(ILogger logger, Exception exception);
    }
}
