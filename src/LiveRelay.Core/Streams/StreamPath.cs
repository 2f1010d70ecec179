namespace LiveRelay.Core.Streams;

/// <summary>
/// Stream paths: two to four segments (<c>app/stream</c>, <c>program/42</c>), each 1–64 of
/// <c>A–Z a–z 0–9 - _ . ~</c>, not <c>.</c> or <c>..</c>. Paths are case-sensitive.
/// </summary>
public static class StreamPath
{
    /// <summary>Longest accepted path.</summary>
    public const int MaxLength = 200;

    /// <summary>Checks <paramref name="raw"/> (surrounding slashes ignored) and returns it normalized.</summary>
    public static bool TryNormalize(string? raw, out string path, out string error)
    {
        path = "";
        if (string.IsNullOrWhiteSpace(raw))
        {
            error = "the stream path is empty";
            return false;
        }

        var trimmed = raw.Trim().Trim('/');
        if (trimmed.Length > MaxLength)
        {
            error = $"the stream path is longer than {MaxLength} characters";
            return false;
        }

        var segments = 0;
        foreach (var range in trimmed.AsSpan().Split('/'))
        {
            var segment = trimmed.AsSpan(range);
            segments++;
            if (segment.IsEmpty || segment.Length > 64)
            {
                error = "each path segment must have 1 to 64 characters";
                return false;
            }

            if (segment is "." or "..")
            {
                error = "'.' and '..' are not path segments";
                return false;
            }

            foreach (var c in segment)
            {
                if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~'))
                {
                    error = $"'{c}' is not allowed in a stream path (use letters, digits, - _ . ~)";
                    return false;
                }
            }
        }

        if (segments is < 2 or > 4)
        {
            error = "a stream path has 2 to 4 segments, like app/stream";
            return false;
        }

        path = trimmed;
        error = "";
        return true;
    }
}
