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
}
