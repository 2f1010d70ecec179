using System.Net;
using System.Net.Sockets;

namespace LiveRelay.Protocols.Rtsp.Tests;

/// <summary>RTP/RTCP port pairs on loopback, with real datagrams.</summary>
public sealed class RtspUdpReceiverTests : IDisposable
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(20));

    private CancellationToken Token => _timeout.Token;

    public void Dispose() => _timeout.Dispose();

    private static Socket Sender(IPAddress address)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(address, 0));
        return socket;
    }

    private async Task<byte[]> ReadAsync(RtspUdpReceiver receiver, byte expectedChannel)
    {
        var packet = await receiver.ReadAsync(Token);
        Assert.NotNull(packet);
        try
        {
            Assert.Equal(expectedChannel, packet.Value.Channel);
            return packet.Value.Buffer[..packet.Value.Length];
        }
        finally
        {
            RtspUdpReceiver.Return(packet.Value);
        }
    }

    [Fact]
    public async Task Open_TwoTracks_EvenRtpPortsAndRtcpOnTheNextPort()
    {
        await using var receiver = RtspUdpReceiver.Open(IPAddress.Loopback, IPAddress.Loopback, 2);
        using var server = Sender(IPAddress.Loopback);
        receiver.Start([null, ((IPEndPoint)server.LocalEndPoint!).Port]);

        Assert.Equal(0, receiver.RtpPort(0) % 2);
        Assert.Equal(0, receiver.RtpPort(1) % 2);
        Assert.NotEqual(receiver.RtpPort(0), receiver.RtpPort(1));

        // A receiver report for track 1 leaves from its RTCP port, the one after its RTP port.
        byte[] report = [0x81, 0xC9, 0x00, 0x07, 1, 2, 3, 4];
        await receiver.SendRtcpAsync(1, report, Token);
        var buffer = new byte[100];
        var received = await server.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), Token);
        Assert.Equal(report, buffer[..received.ReceivedBytes]);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, receiver.RtpPort(1) + 1), received.RemoteEndPoint);
    }

    [Fact]
    public async Task ReadAsync_DatagramsToRtpAndRtcpPorts_ComeOutWithTheirChannelAndBytes()
    {
        await using var receiver = RtspUdpReceiver.Open(IPAddress.Loopback, IPAddress.Loopback, 2);
        using var server = Sender(IPAddress.Loopback);
        receiver.Start([null, null]);

        byte[] rtcp = [0x80, 0xC8, 0x00, 0x06, 0xDE, 0xAD, 0xBE, 0xEF];
        byte[] rtp = [0x80, 0x60, 0x12, 0x34, 0x00, 0x00, 0x00, 0x01, 0xCA, 0xFE, 0xBA, 0xBE, 0x42];
        await server.SendToAsync(rtcp, SocketFlags.None, new IPEndPoint(IPAddress.Loopback, receiver.RtpPort(1) + 1), Token);
        Assert.Equal(rtcp, await ReadAsync(receiver, 3));
        await server.SendToAsync(rtp, SocketFlags.None, new IPEndPoint(IPAddress.Loopback, receiver.RtpPort(0)), Token);
        Assert.Equal(rtp, await ReadAsync(receiver, 0));

        Assert.Equal(rtcp.Length + rtp.Length, receiver.BytesReceived);
        Assert.Equal(0, receiver.Foreign);
    }

    [Fact]
    public async Task ReadAsync_DatagramFromAnotherAddress_CountedAsForeignAndNotHandedOut()
    {
        await using var receiver = RtspUdpReceiver.Open(IPAddress.Loopback, IPAddress.Loopback, 1);
        using var server = Sender(IPAddress.Loopback);
        using var stranger = Sender(IPAddress.Parse("127.0.0.2")); // Linux routes all of 127/8 to loopback
        receiver.Start([null]);
        var rtpPort = new IPEndPoint(IPAddress.Loopback, receiver.RtpPort(0));

        // The same socket's loop takes them in order: when the server's packet comes out, the stranger's was seen.
        await stranger.SendToAsync(new byte[] { 0x80, 0x60, 0x66, 0x66 }, SocketFlags.None, rtpPort, Token);
        byte[] rtp = [0x80, 0x60, 0x00, 0x01, 0x11];
        await server.SendToAsync(rtp, SocketFlags.None, rtpPort, Token);

        Assert.Equal(rtp, await ReadAsync(receiver, 0));
        Assert.Equal(1, receiver.Foreign);
        Assert.Equal(rtp.Length, receiver.BytesReceived);
    }

    [Fact]
    public async Task DisposeAsync_WhileReading_ReadEndsWithNull()
    {
        var receiver = RtspUdpReceiver.Open(IPAddress.Loopback, IPAddress.Loopback, 1);
        receiver.Start([null]);
        var read = receiver.ReadAsync(Token).AsTask();

        await receiver.DisposeAsync();

        Assert.Null(await read);
    }
}
