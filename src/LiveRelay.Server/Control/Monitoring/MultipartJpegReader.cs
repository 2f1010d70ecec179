using System.Buffers;
using System.Buffers.Text;

namespace LiveRelay.Server.Control.Monitoring;

/// <summary>
/// Reads the pictures out of ffmpeg's <c>mpjpeg</c> output (its thumbnails), one part at a time:
/// <code>
/// --ffmpeg\r\n
/// Content-type: image/jpeg\r\n
/// Content-length: 5392\r\n
/// \r\n
/// &lt;5392 bytes of JPEG&gt;\r\n
/// </code>
/// A parser without I/O: <see cref="TryRead"/> consumes one whole part or nothing.
/// </summary>
public static class MultipartJpegReader
{
    /// <summary>The largest picture accepted: a 320-pixel-wide thumbnail is tens of kilobytes.</summary>
    public const int MaxPictureBytes = 2 * 1024 * 1024;

    /// <summary>The most header bytes before the blank line that ends them.</summary>
    public const int MaxHeaderBytes = 1024;

    private static ReadOnlySpan<byte> HeaderEnd => "\r\n\r\n"u8;

    private static ReadOnlySpan<byte> ContentLength => "content-length:"u8;

    /// <summary>
    /// Reads one part. False with nothing consumed when the part is incomplete; throws
    /// <see cref="InvalidDataException"/> when the bytes are not an mpjpeg stream or break a limit.
    /// </summary>
    public static bool TryRead(ref SequenceReader<byte> reader, out ReadOnlySequence<byte> picture)
    {
        picture = default;
        var startConsumed = reader.Consumed;
        if (!reader.TryReadTo(out ReadOnlySequence<byte> headers, HeaderEnd, advancePastDelimiter: true))
        {
            if (reader.Remaining > MaxHeaderBytes)
            {
                throw new InvalidDataException($"no end of the part headers within {MaxHeaderBytes} bytes");
            }

            return false;
        }

        if (headers.Length > MaxHeaderBytes)
        {
            throw new InvalidDataException($"part headers longer than {MaxHeaderBytes} bytes");
        }

        var length = ReadContentLength(headers);

        // The picture and the CRLF after it; the next part's "--boundary" line belongs to its headers.
        if (reader.Remaining < length + 2)
        {
            reader.Rewind(reader.Consumed - startConsumed);
            return false;
        }

        picture = reader.Sequence.Slice(reader.Position, length);
        reader.Advance(length);
        if (!reader.IsNext("\r\n"u8, advancePast: true))
        {
            throw new InvalidDataException("no CRLF after a picture");
        }

        return true;
    }

    private static int ReadContentLength(ReadOnlySequence<byte> headers)
    {
        Span<byte> text = stackalloc byte[MaxHeaderBytes];
        headers.CopyTo(text);
        text = text[..(int)headers.Length];
        foreach (var range in text.Split("\r\n"u8))
        {
            var line = text[range];
            if (line.Length > ContentLength.Length && System.Text.Ascii.EqualsIgnoreCase(line[..ContentLength.Length], ContentLength))
            {
                var value = line[ContentLength.Length..].Trim((byte)' ');
                if (Utf8Parser.TryParse(value, out int length, out var consumed) && consumed == value.Length && length is > 0 and <= MaxPictureBytes)
                {
                    return length;
                }

                throw new InvalidDataException($"Content-length must be 1–{MaxPictureBytes} bytes");
            }
        }

        throw new InvalidDataException("a part without Content-length");
    }
}
