using System.Diagnostics;
using LiveRelay.LoadTest.Players;

namespace LiveRelay.LoadTest.Measurement;

/// <summary>
/// Publish → first HLS segment: from starting the publisher until a GET of the playlist answers
/// 200 with at least one segment. Every poll is a fresh, short request, so a server that holds an
/// early playlist request (LiveRelay does) and one that answers 404 until the file exists (nginx)
/// are measured the same way, to within <see cref="Interval"/> plus one request.
/// </summary>
internal static class HlsFirstSegmentProbe
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan RequestLimit = TimeSpan.FromMilliseconds(250);

    /// <summary>Time since <paramref name="publishStartedAt"/> (a <see cref="Stopwatch"/> timestamp) until the playlist has a segment.</summary>
    /// <exception cref="TimeoutException">No segment within <paramref name="timeLimit"/>.</exception>
    public static async Task<TimeSpan> MeasureAsync(HttpClient http, Uri playlist, long publishStartedAt, TimeSpan timeLimit, CancellationToken cancellationToken)
    {
        while (Stopwatch.GetElapsedTime(publishStartedAt) < timeLimit)
        {
            using (var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                limit.CancelAfter(RequestLimit);
                try
                {
                    using var response = await http.GetAsync(playlist, limit.Token).ConfigureAwait(false);
                    if (response.IsSuccessStatusCode)
                    {
                        var text = await response.Content.ReadAsStringAsync(limit.Token).ConfigureAwait(false);
                        if (HlsPlaylist.Parse(text, playlist) is { Segments.Count: > 0 })
                        {
                            return Stopwatch.GetElapsedTime(publishStartedAt);
                        }
                    }
                }
                catch (HttpRequestException)
                {
                    // Not there yet.
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // Held or slow: ask again with a fresh request.
                }
            }

            await Task.Delay(Interval, cancellationToken).ConfigureAwait(false);
        }

        throw new TimeoutException($"{playlist} had no segment {timeLimit.TotalSeconds:0} s after publishing started");
    }
}
