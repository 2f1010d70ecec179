using System.Buffers;
using System.Text;
using LiveRelay.Formats.Rtsp;

namespace LiveRelay.Formats.Tests.Rtsp;

public sealed class RtspReaderTests
{
    private const string Describe =
        "RTSP/1.0 200 OK\r\nCSeq: 3\r\nContent-Type: application/sdp\r\nContent-Base: rtsp://cam/stream/\r\nContent-Length: 10\r\n\r\nv=0\r\ns=x\r\n";

    [Fact]
    public void TryReadResponse_WithBody_ReadsStatusHeadersAndBody()
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(Describe)));

        Assert.True(RtspReader.TryReadResponse(ref reader, out var response));

        Assert.Equal(200, response!.StatusCode);
        Assert.Equal("OK", response.Reason);
        Assert.Equal(3, response.CSeq);
        Assert.Equal("rtsp://cam/stream/", response.Header("content-base"));
        Assert.Equal("v=0\r\ns=x\r\n", response.Body);
        Assert.True(reader.End);
    }

    [Fact]
    public void TryReadResponse_EveryTruncatedPrefix_ReturnsFalseAndConsumesNothing()
    {
        var bytes = Encoding.ASCII.GetBytes(Describe);
        for (var length = 0; length < bytes.Length; length++)
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes, 0, length));

            Assert.False(RtspReader.TryReadResponse(ref reader, out _), $"prefix of {length}");
            Assert.Equal(0, reader.Consumed);
        }
    }

    [Fact]
    public void TryReadResponse_TwoChallenges_AreBothKept()
    {
        var text = "RTSP/1.0 401 Unauthorized\r\nCSeq: 2\r\nWWW-Authenticate: Digest realm=\"IP Camera\", nonce=\"abc\"\r\nWWW-Authenticate: Basic realm=\"IP Camera\"\r\n\r\n";
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text)));

        Assert.True(RtspReader.TryReadResponse(ref reader, out var response));

        Assert.Equal(2, response!.Header("WWW-Authenticate")!.Split('\n').Length);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\n\r\n", "not an RTSP status line")]
    [InlineData("RTSP/1.0 abc OK\r\n\r\n", "not an RTSP status line")]
    [InlineData("RTSP/1.0 200 OK\r\nContent-Length: 999999999\r\n\r\n", "Content-Length must be")]
    public void TryReadResponse_Malformed_Throws(string text, string reason)
    {
        var error = Assert.Throws<InvalidDataException>(() =>
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text)));
            RtspReader.TryReadResponse(ref reader, out _);
        });

        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void TryReadInterleaved_FramesSplitAcrossReads_AreReadWhole()
    {
        byte[] bytes = [(byte)'$', 1, 0, 3, 0xAA, 0xBB, 0xCC, (byte)'$', 0, 0, 1];
        var partial = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes, 0, 6));
        Assert.False(RtspReader.TryReadInterleaved(ref partial, out _, out _));
        Assert.Equal(0, partial.Consumed);

        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        Assert.True(RtspReader.TryReadInterleaved(ref reader, out var channel, out var data));

        Assert.Equal(1, channel);
        Assert.Equal([0xAA, 0xBB, 0xCC], data.ToArray());
        Assert.False(RtspReader.TryReadInterleaved(ref reader, out _, out _)); // the second frame is cut off
        Assert.Equal(7, reader.Consumed);
    }
}

public sealed class RtspAuthenticationTests
{
    [Fact]
    public void Respond_DigestChallenge_ComputesTheRfc2617Response()
    {
        // HA1 = MD5("admin:IP Camera:12345"), HA2 = MD5("DESCRIBE:rtsp://10.0.0.2/stream"), response = MD5(HA1:nonce:HA2),
        // computed independently (Python's hashlib): 1535f791d08b4dfe351c3a7e118fa865.
        var header = RtspAuthentication.Respond("Digest realm=\"IP Camera\", nonce=\"5d41402abc4b2a76\", stale=\"FALSE\"", "DESCRIBE", "rtsp://10.0.0.2/stream", "admin", "12345");

        Assert.Equal(
            "Digest username=\"admin\", realm=\"IP Camera\", nonce=\"5d41402abc4b2a76\", uri=\"rtsp://10.0.0.2/stream\", response=\"1535f791d08b4dfe351c3a7e118fa865\"",
            header);
    }

    [Fact]
    public void Respond_DigestPreferredOverBasic_BasicWhenAlone_NullWhenNothingUsable()
    {
        Assert.StartsWith("Digest ", RtspAuthentication.Respond("Basic realm=\"x\"\nDigest realm=\"x\", nonce=\"n\"", "OPTIONS", "rtsp://h/", "u", "p"));
        Assert.Equal("Basic dTpw", RtspAuthentication.Respond("Basic realm=\"x\"", "OPTIONS", "rtsp://h/", "u", "p"));
        Assert.Null(RtspAuthentication.Respond("Negotiate", "OPTIONS", "rtsp://h/", "u", "p"));
        Assert.Null(RtspAuthentication.Respond("Digest realm=\"x\"", "OPTIONS", "rtsp://h/", "u", "p"));
    }

    [Fact]
    public void Parameter_QuotedOrBare_AndNotInsideAnotherName()
    {
        const string challenge = "Digest myrealm=\"no\", realm=\"yes\", algorithm=MD5";

        Assert.Equal("yes", RtspAuthentication.Parameter(challenge, "realm"));
        Assert.Equal("MD5", RtspAuthentication.Parameter(challenge, "algorithm"));
    }
}
