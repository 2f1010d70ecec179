namespace LiveRelay.Core.Streams;

/// <summary>
/// Counts events and bytes in one-second buckets and reports the rate over the last few
/// complete seconds. Single writer; readers may see a bucket mid-update, which only blurs a figure.
/// </summary>
public sealed class RateMeter(TimeProvider time)
{
    private const int Buckets = 6;
    private readonly long[] _second = new long[Buckets];
    private readonly long[] _count = new long[Buckets];
    private readonly long[] _bytes = new long[Buckets];
    private long _firstSecond = -1;

    /// <summary>Records one event of <paramref name="bytes"/> bytes.</summary>
    public void Add(int bytes)
    {
        var now = CurrentSecond();
        if (_firstSecond < 0)
        {
            _firstSecond = now;
        }

        var slot = (int)(now % Buckets);
        if (_second[slot] != now)
        {
            _second[slot] = now;
            _count[slot] = 0;
            _bytes[slot] = 0;
        }

        _count[slot]++;
        _bytes[slot] += bytes;
    }

    /// <summary>Events per second and bits per second over the last complete seconds.</summary>
    public (double PerSecond, double BitsPerSecond) Rate()
    {
        var now = CurrentSecond();
        long count = 0, bytes = 0;
        var seconds = 0;
        for (var back = 1; back < Buckets; back++)
        {
            var second = now - back;
            if (_firstSecond < 0 || second < _firstSecond)
            {
                break;
            }

            var slot = (int)(second % Buckets);
            if (_second[slot] == second)
            {
                count += _count[slot];
                bytes += _bytes[slot];
            }

            seconds++;
        }

        return seconds == 0 ? (0, 0) : (count / (double)seconds, bytes * 8.0 / seconds);
    }

    private long CurrentSecond() => (long)(time.GetTimestamp() / (double)time.TimestampFrequency);
}
