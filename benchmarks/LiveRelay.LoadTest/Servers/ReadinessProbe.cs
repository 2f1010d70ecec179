using System.Diagnostics;

namespace LiveRelay.LoadTest.Servers;

/// <summary>Polls a URL with short requests until it answers as wanted, bounded in time.</summary>
internal static class ReadinessProbe
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan RequestLimit = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Returns the time from <paramref name="startedAt"/> until <paramref name="uri"/> answered with a
    /// status <paramref name="accept"/> takes; throws <see cref="TimeoutException"/> after
    /// <paramref name="timeLimit"/>, or when <paramref name="exited"/> says the process is gone.
    /// </summary>
    public static async Task<TimeSpan> WaitAsync(
        HttpClient http, Uri uri, Func<int, bool> accept, long startedAt, TimeSpan timeLimit, Func<bool> exited, CancellationToken cancellationToken)
    {
        while (Stopwatch.GetElapsedTime(startedAt) < timeLimit)
        {
            if (exited())
            {
                throw new InvalidOperationException("the server exited while starting");
            }

            using (var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                limit.CancelAfter(RequestLimit);
                try
                {
                    using var response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, limit.Token).ConfigureAwait(false);
                    if (accept((int)response.StatusCode))
                    {
                        return Stopwatch.GetElapsedTime(startedAt);
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // Too slow to answer: ask again.
                }
            }

            await Task.Delay(Interval, cancellationToken).ConfigureAwait(false);
        }

        throw new TimeoutException($"{uri} did not answer as ready within {timeLimit.TotalSeconds:0} s");
    }
}
