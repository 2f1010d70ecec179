using System.Buffers;
using System.Globalization;
using System.Text;

namespace LiveRelay.Formats.Rtsp;

/// <summary>An RTSP response (RFC 2326 §7): status, headers (names case-insensitive) and body.</summary>
public sealed record RtspResponse(int StatusCode, string Reason, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public int CSeq => int.TryParse(Header("CSeq"), NumberStyles.None, CultureInfo.InvariantCulture, out var cseq) ? cseq : -1;
}

/// <summary>
/// Reads what an RTSP server sends on the control connection: responses, and (over TCP) RTP/RTCP
/// interleaved as <c>$ channel(8) length(16) data</c> frames between them. A parser without I/O:
/// each call consumes one whole item or nothing. Bounded: headers, body and frames have limits.
/// </summary>
public static class RtspReader
{
    public const int MaxHeaderBytes = 16 * 1024;
    public const int MaxBodyBytes = 64 * 1024;

    private static ReadOnlySpan<byte> HeaderEnd => "\r\n\r\n"u8;

    /// <summary>True when the next byte starts an interleaved frame (<c>$</c>) rather than a response.</summary>
    public static bool IsInterleaved(in ReadOnlySequence<byte> buffer) => !buffer.IsEmpty && buffer.FirstSpan[0] == (byte)'$';

    //  '$' | channel (8) | length (16, big-endian) | data (length bytes)
    public static bool TryReadInterleaved(ref SequenceReader<byte> reader, out byte channel, out ReadOnlySequence<byte> data)
    {
        channel = 0;
        data = default;
        if (reader.Remaining < 4)
        {
            return false;
        }

        Span<byte> head = stackalloc byte[4];
        reader.TryCopyTo(head);
        if (head[0] != (byte)'$')
        {
            throw new InvalidDataException("not an interleaved frame");
        }

        var length = (head[2] << 8) | head[3];
        if (reader.Remaining < 4 + length)
        {
            return false;
        }

        reader.Advance(4);
        channel = head[1];
        data = reader.Sequence.Slice(reader.Position, length);
        reader.Advance(length);
        return true;
    }

    //  RTSP/1.0 200 OK\r\n
    //  CSeq: 2\r\n
    //  Content-Length: 460\r\n
    //  \r\n
    //  <body>
    public static bool TryReadResponse(ref SequenceReader<byte> reader, out RtspResponse? response)
    {
        response = null;
        var start = reader.Consumed;
        if (!reader.TryReadTo(out ReadOnlySequence<byte> head, HeaderEnd, advancePastDelimiter: true))
        {
            if (reader.Remaining > MaxHeaderBytes)
            {
                throw new InvalidDataException($"no end of the response headers within {MaxHeaderBytes} bytes");
            }

            return false;
        }

        if (head.Length > MaxHeaderBytes)
        {
            throw new InvalidDataException($"response headers longer than {MaxHeaderBytes} bytes");
        }

        var lines = Encoding.UTF8.GetString(head).Split("\r\n");
        var status = lines[0].Split(' ', 3);
        if (status.Length < 2 || !status[0].StartsWith("RTSP/", StringComparison.Ordinal)
            || !int.TryParse(status[1], NumberStyles.None, CultureInfo.InvariantCulture, out var code) || code is < 100 or > 999)
        {
            throw new InvalidDataException($"not an RTSP status line: '{(lines[0].Length > 80 ? lines[0][..80] : lines[0])}'");
        }

        // Repeated headers (several WWW-Authenticate challenges) are kept, one per line: collected
        // first and joined once, so a header block of one name repeated costs linear time and memory.
        var collected = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.AsSpan(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                var name = line[..colon].Trim();
                if (!collected.TryGetValue(name, out var values))
                {
                    collected[name] = values = [];
                }

                values.Add(line[(colon + 1)..].Trim());
            }
        }

        var headers = new Dictionary<string, string>(collected.Count, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in collected)
        {
            headers[name] = values.Count == 1 ? values[0] : string.Join('\n', values);
        }

        var length = 0;
        if (headers.TryGetValue("Content-Length", out var contentLength)
            && (!int.TryParse(contentLength, NumberStyles.None, CultureInfo.InvariantCulture, out length) || length > MaxBodyBytes))
        {
            throw new InvalidDataException($"Content-Length must be 0–{MaxBodyBytes}");
        }

        if (reader.Remaining < length)
        {
            reader.Rewind(reader.Consumed - start);
            return false;
        }

        var body = Encoding.UTF8.GetString(reader.Sequence.Slice(reader.Position, length));
        reader.Advance(length);
        response = new RtspResponse(code, status.Length > 2 ? status[2] : "", headers, body);
        return true;
    }
}
