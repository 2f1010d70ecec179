using System.Text;

namespace LiveRelay.Protocols.Rtsp.Tests;

/// <summary>SETUP, PLAY, interleaved media and keep-alives.</summary>
public sealed partial class RtspClientTests
{
    private const string AllMethods = "OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, GET_PARAMETER, TEARDOWN";

    [Fact]
    public async Task SetupAsync_AfterDigest_EachRequestHasTheDigestForItsMethodAndUriAndTheSession()
    {
        await using var client = await RtspClient.ConnectAsync(_server.Url("admin:secret"), Token);
        var describe = client.DescribeAsync(Token);
        var options = await _server.ExpectAsync("OPTIONS", Token);
        await _server.WriteAsync(Unauthorized(options.CSeq), Token);
        var authorized = await _server.ExpectAsync("OPTIONS", Token);
        AssertDigest(authorized, "admin", "secret");
        await _server.WriteAsync(ScriptedRtspServer.Response(authorized.CSeq, headers: $"Public: {AllMethods}\r\n"), Token);
        var request = await _server.ExpectAsync("DESCRIBE", Token);
        AssertDigest(request, "admin", "secret");
        await _server.WriteAsync(ScriptedRtspServer.Response(request.CSeq, headers: $"Content-Base: {BaseUri}\r\n", body: Sdp), Token);
        var (sdp, baseUrl) = await describe;

        var video = client.SetupAsync(baseUrl, sdp.Media[0], 0, Token);
        var setup = await _server.ExpectAsync("SETUP", Token);
        Assert.Equal(BaseUri + "trackID=0", setup.Uri);
        Assert.Equal("RTP/AVP/TCP;unicast;interleaved=0-1", setup.Header("Transport"));
        Assert.Null(setup.Header("Session"));
        AssertDigest(setup, "admin", "secret");
        await _server.WriteAsync(ScriptedRtspServer.Response(setup.CSeq, headers: $"Transport: RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=1A2B3C4D\r\nSession: {Session};timeout=60\r\n"), Token);
        var transport = await video;
        Assert.Equal(0, transport.Interleaved);
        Assert.Equal(0x1A2B3C4Du, transport.Ssrc);

        var audio = client.SetupAsync(baseUrl, sdp.Media[1], 2, Token);
        setup = await _server.ExpectAsync("SETUP", Token);
        Assert.Equal(BaseUri + "trackID=1", setup.Uri);
        Assert.Equal("RTP/AVP/TCP;unicast;interleaved=2-3", setup.Header("Transport"));
        Assert.Equal(Session, setup.Header("Session"));
        AssertDigest(setup, "admin", "secret");
        await _server.WriteAsync(ScriptedRtspServer.Response(setup.CSeq, headers: $"Transport: RTP/AVP/TCP;unicast;interleaved=2-3\r\nSession: {Session};timeout=60\r\n"), Token);
        Assert.Equal(2, (await audio).Interleaved);
    }

    [Fact]
    public async Task SetupUdpAsync_ServerPorts_ReturnedWithClientPortsInTheRequest()
    {
        await using var client = await RtspClient.ConnectAsync(_server.Url(), Token);
        var (sdp, baseUrl) = await DescribeAsync(client, AllMethods);

        var setup = client.SetupUdpAsync(baseUrl, sdp.Media[0], 50000, Token);
        var request = await _server.ExpectAsync("SETUP", Token);
        Assert.Equal("RTP/AVP;unicast;client_port=50000-50001", request.Header("Transport"));
        await _server.WriteAsync(ScriptedRtspServer.Response(request.CSeq, headers: $"Transport: RTP/AVP;unicast;client_port=50000-50001;server_port=6970-6971\r\nSession: {Session}\r\n"), Token);

        var transport = await setup;
        Assert.Equal((6970, 6971), (transport.ServerRtpPort, transport.ServerRtcpPort));
    }

    [Fact]
    public async Task SetupUdpAsync_AnswerWithoutServerPort_RtspClientException()
    {
        await using var client = await RtspClient.ConnectAsync(_server.Url(), Token);
        var (sdp, baseUrl) = await DescribeAsync(client, AllMethods);

        var setup = client.SetupUdpAsync(baseUrl, sdp.Media[0], 50000, Token);
        var request = await _server.ExpectAsync("SETUP", Token);
        await _server.WriteAsync(ScriptedRtspServer.Response(request.CSeq, headers: $"Transport: RTP/AVP;unicast;client_port=50000-50001\r\nSession: {Session}\r\n"), Token);

        var error = await Assert.ThrowsAsync<RtspClientException>(() => setup);
        Assert.Contains("server_port", error.Message, StringComparison.Ordinal);
        Assert.False(error.IsRefusal);
    }

    [Fact]
    public async Task PlayAsync_RtpInfoAndInterleavedMedia_TracksMatchedAndFramesInOrderWithResponsesSkipped()
    {
        await using var client = await RtspClient.ConnectAsync(_server.Url(), Token);
        var (sdp, baseUrl) = await DescribeAsync(client, AllMethods);
        for (var track = 0; track < 2; track++)
        {
            var setup = client.SetupAsync(baseUrl, sdp.Media[track], 2 * track, Token);
            var request = await _server.ExpectAsync("SETUP", Token);
            await _server.WriteAsync(ScriptedRtspServer.Response(request.CSeq, headers: $"Transport: RTP/AVP/TCP;unicast;interleaved={2 * track}-{(2 * track) + 1}\r\nSession: {Session}\r\n"), Token);
            await setup;
        }

        var play = client.PlayAsync(baseUrl, sdp.Control, Token);
        var playRequest = await _server.ExpectAsync("PLAY", Token);
        Assert.Equal(BaseUri, playRequest.Uri);
        Assert.Equal("npt=0.000-", playRequest.Header("Range"));
        Assert.Equal(Session, playRequest.Header("Session"));

        // The camera is behind NAT: RTP-Info names its own address, so only the control suffix matches.
        byte[] early = [0x80, 0x60, 0x00, 0x01];
        byte[] first = [0x80, 0x60, 0x00, 0x02, 0xAA];
        byte[] second = [0x80, 0x61, 0x00, 0x09, 0xBB, 0xCC];
        byte[] rtcp = [0x80, 0xC8, 0x00, 0x06, 0x01, 0x02, 0x03, 0x04];
        var response = ScriptedRtspServer.Response(
            playRequest.CSeq,
            headers: $"Session: {Session}\r\nRTP-Info: url=rtsp://192.168.1.64:554/stream/trackID=0;seq=17;rtptime=1000,url=rtsp://192.168.1.64:554/stream/trackID=1;seq=42;rtptime=2000\r\n");

        // Media before the PLAY answer is dropped (RtspClient.ReadResponseAsync); what follows the answer in the same segment is kept.
        await _server.WriteAsync([.. ScriptedRtspServer.Interleaved(0, early), .. Encoding.UTF8.GetBytes(response), .. ScriptedRtspServer.Interleaved(0, first)], Token);
        await play;

        Assert.Equal(2, client.RtpInfo.Count);
        var videoInfo = client.RtpInfoFor(baseUrl, sdp.Media[0]);
        var audioInfo = client.RtpInfoFor(baseUrl, sdp.Media[1]);
        Assert.NotNull(videoInfo);
        Assert.NotNull(audioInfo);
        Assert.Equal(((ushort?)17, (uint?)1000), (videoInfo.Value.Sequence, videoInfo.Value.RtpTime));
        Assert.Equal(((ushort?)42, (uint?)2000), (audioInfo.Value.Sequence, audioInfo.Value.RtpTime));

        await client.KeepAliveAsync(Token);
        var keepAlive = await _server.ExpectAsync("GET_PARAMETER", Token);
        Assert.Equal(StreamUri, keepAlive.Uri);
        Assert.Equal(Session, keepAlive.Header("Session"));

        // The keep-alive's answer (with a body) arrives between two frames.
        await _server.WriteAsync(
            [
                .. ScriptedRtspServer.Interleaved(2, second),
                .. Encoding.UTF8.GetBytes(ScriptedRtspServer.Response(keepAlive.CSeq, headers: $"Session: {Session}\r\nContent-Type: text/parameters\r\n", body: "uptime: 42\r\n")),
                .. ScriptedRtspServer.Interleaved(1, rtcp),
            ],
            Token);

        var buffer = new byte[65536];
        List<(byte Channel, byte[] Data)> frames = [];
        for (var i = 0; i < 3; i++)
        {
            var frame = await client.ReadFrameAsync(buffer, Token);
            Assert.NotNull(frame);
            frames.Add((frame.Value.Channel, buffer[..frame.Value.Length]));
        }

        Assert.Equal([0, 2, 1], frames.Select(f => f.Channel));
        Assert.Equal(first, frames[0].Data);
        Assert.Equal(second, frames[1].Data);
        Assert.Equal(rtcp, frames[2].Data);
        Assert.Equal(3 * 4 + first.Length + second.Length + rtcp.Length, client.BytesReceived);

        await client.TeardownAsync(baseUrl, Token);
        var teardown = await _server.ExpectAsync("TEARDOWN", Token);
        Assert.Equal(BaseUri, teardown.Uri);
        Assert.Equal(Session, teardown.Header("Session"));

        await _server.CloseConnectionAsync(Token);
        Assert.Null(await client.ReadFrameAsync(buffer, Token));
    }

    [Fact]
    public async Task ReadFrameAsync_FrameSplitAcrossWrites_ReturnedWhole()
    {
        await using var client = await RtspClient.ConnectAsync(_server.Url(), Token);
        var packet = Enumerable.Range(0, 3000).Select(i => (byte)i).ToArray();
        var frame = ScriptedRtspServer.Interleaved(0, packet);

        var buffer = new byte[65536];
        var read = client.ReadFrameAsync(buffer, Token).AsTask();
        await _server.WriteAsync(frame[..3], Token);
        await _server.WriteAsync(frame[3..1000], Token);
        await _server.WriteAsync(frame[1000..], Token);

        var result = await read;
        Assert.Equal(((byte)0, 3000), result);
        Assert.Equal(packet, buffer[..3000]);
    }

    [Fact]
    public async Task KeepAliveAsync_PublicWithoutGetParameter_SendsOptions()
    {
        await using var client = await RtspClient.ConnectAsync(_server.Url(), Token);
        await DescribeAsync(client, "OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN");

        await client.KeepAliveAsync(Token);

        var keepAlive = await _server.ExpectAsync("OPTIONS", Token);
        Assert.Equal(StreamUri, keepAlive.Uri);
    }

    [Fact]
    public async Task TeardownAsync_NoSession_SendsNothing()
    {
        var client = await RtspClient.ConnectAsync(_server.Url(), Token);
        var (_, baseUrl) = await DescribeAsync(client, AllMethods);

        await client.TeardownAsync(baseUrl, Token);
        await client.DisposeAsync();

        Assert.Null(await _server.ReadRequestAsync(Token));
    }
}
