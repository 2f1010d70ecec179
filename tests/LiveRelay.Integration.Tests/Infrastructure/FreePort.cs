using System.Net;
using System.Net.Sockets;

namespace LiveRelay.Integration.Tests.Infrastructure;

internal static class FreePort
{
    /// <summary>A TCP port free on loopback right now (the OS picks it).</summary>
    public static int Tcp()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A UDP port free on loopback right now.</summary>
    public static int Udp()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
