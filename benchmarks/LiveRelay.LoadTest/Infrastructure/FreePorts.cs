using System.Net;
using System.Net.Sockets;

namespace LiveRelay.LoadTest.Infrastructure;

/// <summary>Free TCP ports on loopback, asked of the kernel (bind to port 0, read it, close).</summary>
internal static class FreePorts
{
    public static int Next()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }

    /// <summary>Several distinct free ports.</summary>
    public static int[] Take(int count)
    {
        var ports = new HashSet<int>();
        while (ports.Count < count)
        {
            ports.Add(Next());
        }

        return [.. ports];
    }
}
