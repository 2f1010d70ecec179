using System.Net;
using System.Net.Sockets;

namespace LiveRelay.LoadTest.Infrastructure;

/// <summary>Free TCP and UDP ports on loopback, asked of the kernel (bind to port 0, read it, close).</summary>
internal static class FreePorts
{
    public static int Next() => Bound(SocketType.Stream, ProtocolType.Tcp);

    /// <summary>A free UDP port (for the server's SRT listener or its WebRTC port), other than <paramref name="except"/>.</summary>
    public static int NextUdp(int except = 0)
    {
        while (true)
        {
            var port = Bound(SocketType.Dgram, ProtocolType.Udp);
            if (port != except)
            {
                return port;
            }
        }
    }

    /// <summary>Several distinct free TCP ports.</summary>
    public static int[] Take(int count)
    {
        var ports = new HashSet<int>();
        while (ports.Count < count)
        {
            ports.Add(Next());
        }

        return [.. ports];
    }

    private static int Bound(SocketType type, ProtocolType protocol)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, type, protocol);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
