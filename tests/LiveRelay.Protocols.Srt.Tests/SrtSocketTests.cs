using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using LiveRelay.Protocols.Srt.Native;

namespace LiveRelay.Protocols.Srt.Tests;

/// <summary>The binding against the real libsrt 1.5 on loopback.</summary>
public sealed class SrtSocketTests
{
    private const string Passphrase = "correct horse battery";

    [Fact]
    public void SrtStatistics_Layout_MatchesLibsrtHeader()
    {
        // sizeof and offsetof compiled from /usr/include/srt/srt.h (libsrt 1.5.1) with gcc.
        Assert.Equal(496, Marshal.SizeOf<SrtStatistics>());
        Assert.Equal(28, Offset(nameof(SrtStatistics.PktRcvLossTotal)));
        Assert.Equal(32, Offset(nameof(SrtStatistics.PktRetransTotal)));
        Assert.Equal(184, Offset(nameof(SrtStatistics.MbpsSendRate)));
        Assert.Equal(328, Offset(nameof(SrtStatistics.MsRtt)));
        Assert.Equal(336, Offset(nameof(SrtStatistics.MbpsBandwidth)));
        Assert.Equal(488, Offset(nameof(SrtStatistics.ByteRecvUnique)));

        static int Offset(string field) => (int)Marshal.OffsetOf<SrtStatistics>(field);
    }

    [Fact]
    public async Task CallerToListener_StreamIdAndPassphrase_DeliversEveryMessageInOrderWithStats()
    {
        var endPoint = new IPEndPoint(IPAddress.Loopback, FreeUdpPort());
        using var listener = SrtSocket.Create();
        listener.SetPassphrase(Passphrase);
        listener.Bind(endPoint);
        listener.Listen();
        var accepted = Task.Run(() => listener.Accept(out var remote));

        using var caller = SrtSocket.Create();
        caller.SetStreamId("#!::r=live/cam1,m=publish");
        caller.SetPassphrase(Passphrase);
        caller.SetConnectTimeout(5000);
        caller.Connect(endPoint);
        using var server = await accepted.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("#!::r=live/cam1,m=publish", server.GetStreamId());
        Assert.Equal(SrtSocketStatus.Connected, server.Status);

        var message = new byte[SrtSocket.LivePayloadSize];
        for (var i = 0; i < 100; i++)
        {
            message[0] = (byte)i;
            Assert.Equal(message.Length, caller.Send(message));
        }

        var buffer = new byte[1500];
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(SrtSocket.LivePayloadSize, server.Receive(buffer));
            Assert.Equal((byte)i, buffer[0]);
        }

        var stats = server.GetStatistics();
        Assert.True(stats.PktRecvTotal >= 100, $"received {stats.PktRecvTotal} packets");
        Assert.True(stats.ByteRecvTotal >= 100UL * SrtSocket.LivePayloadSize);
        Assert.True(stats.MsRtt >= 0);
    }

    [Fact]
    public async Task Connect_WrongPassphrase_IsRefusedWithLibsrtMessage()
    {
        var endPoint = new IPEndPoint(IPAddress.Loopback, FreeUdpPort());
        using var listener = SrtSocket.Create();
        listener.SetPassphrase(Passphrase);
        listener.Bind(endPoint);
        listener.Listen();
        _ = Task.Run(() =>
        {
            try
            {
                listener.Accept(out _).Dispose();
            }
            catch (SrtException)
            {
                // The listener is closed when the test ends.
            }
        });

        using var caller = SrtSocket.Create();
        caller.SetPassphrase("a wrong passphrase");
        caller.SetConnectTimeout(3000);

        var ex = await Assert.ThrowsAsync<SrtException>(() => Task.Run(() => caller.Connect(endPoint)));
        Assert.Contains("connect", ex.Message, StringComparison.Ordinal);
        Assert.Equal(SrtRejectReason.BadSecret, caller.RejectReason);
    }

    [Fact]
    public async Task Admission_SeesStreamIdAndCaller_AndItsRejectCodeReachesTheCaller()
    {
        var endPoint = new IPEndPoint(IPAddress.Loopback, FreeUdpPort());
        var seen = new TaskCompletionSource<(string StreamId, IPEndPoint? Remote)>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listener = SrtSocket.Create();
        listener.SetAdmission((streamId, remote, _) =>
        {
            seen.TrySetResult((streamId, remote));
            return SrtRejectReason.Conflict;
        });
        listener.Bind(endPoint);
        listener.Listen();

        using var caller = SrtSocket.Create();
        caller.SetStreamId("#!::r=live/taken,m=publish");
        caller.SetConnectTimeout(3000);
        await Assert.ThrowsAsync<SrtException>(() => Task.Run(() => caller.Connect(endPoint)));

        Assert.Equal(SrtRejectReason.Conflict, caller.RejectReason);
        var (streamId, remote) = await seen.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("#!::r=live/taken,m=publish", streamId);
        Assert.Equal(IPAddress.Loopback, remote!.Address);
    }

    [Fact]
    public async Task Admission_Throwing_RefusesWithInternalError()
    {
        var endPoint = new IPEndPoint(IPAddress.Loopback, FreeUdpPort());
        using var listener = SrtSocket.Create();
        listener.SetAdmission((_, _, _) => throw new InvalidOperationException("boom"));
        listener.Bind(endPoint);
        listener.Listen();

        using var caller = SrtSocket.Create();
        caller.SetStreamId("live/anything");
        caller.SetConnectTimeout(3000);
        await Assert.ThrowsAsync<SrtException>(() => Task.Run(() => caller.Connect(endPoint)));

        Assert.Equal(SrtRejectReason.InternalError, caller.RejectReason);
    }

    private static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
