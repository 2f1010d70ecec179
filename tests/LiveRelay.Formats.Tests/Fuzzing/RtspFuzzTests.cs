using System.Buffers;
using System.Text;
using LiveRelay.Formats.Rtsp;
using Xunit.Abstractions;

namespace LiveRelay.Formats.Tests.Fuzzing;

/// <summary>The RTSP control-connection reader (responses and interleaved frames) and the structured header parsers.</summary>
public sealed class RtspFuzzTests(ITestOutputHelper output)
{
    private const string Describe =
        "RTSP/1.0 200 OK\r\nCSeq: 3\r\nContent-Type: application/sdp\r\nContent-Base: rtsp://cam/stream/\r\nContent-Length: 10\r\n\r\nv=0\r\ns=x\r\n";

    private const string Setup =
        "RTSP/1.0 200 OK\r\nCSeq: 4\r\nSession: 12345678;timeout=60\r\nTransport: RTP/AVP;unicast;client_port=5000-5001;server_port=6970-6971;ssrc=1A2B3C4D;mode=\"PLAY\"\r\n\r\n";

    private const string Play =
        "RTSP/1.0 200 OK\r\nCSeq: 5\r\nRange: npt=0.000-\r\nRTP-Info: url=rtsp://cam/stream/trackID=1;seq=4711;rtptime=123456,url=trackID=2;seq=17;rtptime=9000\r\n\r\n";

    private const string Unauthorized =
        "RTSP/1.0 401 Unauthorized\r\nCSeq: 2\r\nWWW-Authenticate: Digest realm=\"IP Camera\", nonce=\"abc\"\r\nWWW-Authenticate: Basic realm=\"IP Camera\"\r\n\r\n";

    private const string Options = "RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: OPTIONS, DESCRIBE, SETUP, TEARDOWN, PLAY, PAUSE, GET_PARAMETER\r\n\r\n";

    private static readonly byte[][] s_tokens =
    [
        .. Fuzz.Utf8("RTSP/1.0 200 OK\r\n", "\r\n", "\r\n\r\n", ": ", "Content-Length: ", "CSeq: ", "Transport: ", "RTP-Info: ", "WWW-Authenticate: ",
            "url=", ";seq=", ";rtptime=", "server_port=", "interleaved=", "ssrc=", "Digest ", "Basic ", "realm=\"", "nonce=", ",", ";", "-", "\"", "$",
            "65536", "99999999999", "\u00e9"),
        [(byte)'$', 0, 0xFF, 0xFF], [(byte)'$', 1, 0, 0],
    ];

    // RtspReader documents InvalidDataException for anything that is not a response or an interleaved frame and for
    // headers over 16 KiB or a body over 64 KiB ("bounded").
    internal static FuzzTarget ReaderTarget => new()
    {
        Name = "RtspReader (responses and interleaved frames)",
        Index = 8,
        Seeds =
        [
            Encoding.UTF8.GetBytes(Options + Describe),
            Encoding.UTF8.GetBytes(Setup + Play),
            Encoding.UTF8.GetBytes(Unauthorized),
            [(byte)'$', 0, 0, 12, 0x80, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, .. Encoding.UTF8.GetBytes(Play), (byte)'$', 1, 0, 4, 0x80, 0xC9, 0, 0],
        ],
        Iterations = 15_000,
        Parse = ParseReader,
        IsDocumented = e => e is InvalidDataException,
        Dictionary = s_tokens,
        Corpus = Corpus.RtspReader,
    };

    // RtspHeaders documents "never throwing", and bounds its lists (16 RTP-Info entries, 64 methods);
    // RtspAuthentication documents only ArgumentNullException.
    internal static FuzzTarget HeadersTarget => new()
    {
        Name = "RtspHeaders.Parse*/RtspAuthentication",
        Index = 9,
        Seeds = Fuzz.Utf8(
            "RTP/AVP;unicast;client_port=5000-5001;server_port=6970-6971;ssrc=1A2B3C4D;mode=\"PLAY\"",
            "RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=1A2B3C4D",
            "url=rtsp://cam/stream/trackID=1;seq=4711;rtptime=123456,url=trackID=2;seq=17;rtptime=9000",
            "url=rtsp://cam/a,b/trackID=1;seq=1, url=trackID=2;rtptime=5",
            "OPTIONS, DESCRIBE, SETUP, TEARDOWN, PLAY, PAUSE, GET_PARAMETER, SET_PARAMETER",
            "Digest realm=\"IP Camera\", nonce=\"abc\"\nBasic realm=\"IP Camera\"",
            "Digest realm=cam,nonce=0123456789abcdef, stale=FALSE"),
        Iterations = 20_000,
        Parse = ParseHeaders,
        Dictionary = s_tokens,
        Corpus = Corpus.RtspHeaders,
    };

    [Fact]
    public void TryReadResponse_MutatedControlStream_ThrowsOnlyInvalidDataExceptionAndConsumesWholeItems() => Fuzz.Run(ReaderTarget, output);

    [Fact]
    public void ParseTransport_MutatedHeaderValues_NeverThrows() => Fuzz.Run(HeadersTarget, output);

    /// <summary>
    /// Found while writing the targets (byte mutants do not repeat a line thousands of times): every repeat of a header
    /// name rebuilds the joined value (<c>earlier + "\n" + value</c>, RtspResponse.cs:102), so a 16 KiB header block
    /// allocates about 21 MB, 1,300 times the input, against the 64× + 1 MiB bound the fuzz test uses.
    /// </summary>
    [Fact]
    public void TryReadResponse_RepeatedHeaderName_AllocatesLinearly() => Fuzz.Replay(ReaderTarget.WithCorpus(RepeatedHeaderResponse()));

    /// <summary>
    /// "RTSP/1.0 200 OK" and a header block just under <see cref="RtspReader.MaxHeaderBytes"/> of "X:y" lines: each
    /// repeat is appended to the value kept so far ("y\ny\n..."), so the strings built grow quadratically.
    /// </summary>
    internal static byte[] RepeatedHeaderResponse()
    {
        var text = new StringBuilder("RTSP/1.0 200 OK\r\nCSeq: 1\r\n");
        while (text.Length + 5 + 2 <= RtspReader.MaxHeaderBytes)
        {
            text.Append("X:y\r\n");
        }

        return Encoding.ASCII.GetBytes(text.Append("\r\n").ToString());
    }

    private static bool ParseReader(byte[] input)
    {
        var reader = new SequenceReader<byte>(Fuzz.Segmented(input, 1 + input.Length % 61));
        while (!reader.End)
        {
            var before = reader.Consumed;
            bool read;
            if (RtspReader.IsInterleaved(reader.UnreadSequence))
            {
                read = RtspReader.TryReadInterleaved(ref reader, out _, out var data);
                if (read && reader.Consumed - before != 4 + data.Length)
                {
                    throw Fuzz.PropertyBroken($"an interleaved frame of {data.Length} bytes consumed {reader.Consumed - before}");
                }
            }
            else
            {
                read = RtspReader.TryReadResponse(ref reader, out var response);
                if (read)
                {
                    Touch(response ?? throw Fuzz.PropertyBroken("TryReadResponse returned true without a response"));
                }
            }

            if (!read)
            {
                if (reader.Consumed != before)
                {
                    throw Fuzz.PropertyBroken($"a read returned false but consumed {reader.Consumed - before} bytes");
                }

                return false;
            }

            if (reader.Consumed <= before)
            {
                throw Fuzz.PropertyBroken("a read returned true without consuming anything");
            }
        }

        return true;
    }

    /// <summary>What the RTSP client does with a response.</summary>
    private static void Touch(RtspResponse response)
    {
        _ = response.CSeq;
        _ = RtspHeaders.ParsePublic(response.Header("Public"));
        _ = RtspHeaders.ParseTransport(response.Header("Transport"));
        _ = RtspHeaders.ParseRtpInfo(response.Header("RTP-Info"));
        if (response.Header("WWW-Authenticate") is { } challenge)
        {
            _ = RtspAuthentication.Respond(challenge, "DESCRIBE", "rtsp://cam/stream", "admin", "secret");
        }
    }

    private static bool ParseHeaders(byte[] input)
    {
        var text = Fuzz.Text(input);
        var entries = RtspHeaders.ParseRtpInfo(text);
        var transport = RtspHeaders.ParseTransport(text);
        var methods = RtspHeaders.ParsePublic(text);
        if (entries.Count > 16 || methods.Count > 64)
        {
            throw Fuzz.PropertyBroken($"{entries.Count} RTP-Info entries and {methods.Count} methods, above the bounds");
        }

        var authorization = RtspAuthentication.Respond(text, "SETUP", "rtsp://cam/stream/trackID=1", "admin", "secret");
        _ = RtspAuthentication.Parameter(text, "realm");
        _ = RtspAuthentication.Parameter(text, "nonce");
        return entries.Count > 0 || transport != default || authorization is not null || methods.Contains("PLAY");
    }
}
