namespace LiveRelay.Protocols.Rtmp.Client;

/// <summary>
/// An <c>rtmp://host[:port]/app/stream</c> (or <c>rtmps://</c>, RTMP over TLS, port 443 by default) URL split the way servers expect it: the first path
/// segment is the application (with any further segments but the last, as nginx-rtmp and SRS read
/// them), the last segment with the query is the stream name (keys often travel there).
/// </summary>
public sealed record RtmpUrl(string Host, int Port, string App, string StreamName, bool Secure = false)
{
    public const int DefaultPort = 1935;

    /// <summary>The default port of <c>rtmps://</c>.</summary>
    public const int DefaultSecurePort = 443;

    /// <summary>The tcUrl sent in connect: the URL up to the application.</summary>
    public string TcUrl => $"{(Secure ? "rtmps" : "rtmp")}://{Host}{(Port == (Secure ? DefaultSecurePort : DefaultPort) ? "" : $":{Port}")}/{App}";

    public static bool TryParse(string? text, out RtmpUrl? url, out string error)
    {
        url = null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("rtmp" or "rtmps"))
        {
            error = "an rtmp(s)://host[:port]/app/stream URL is required";
            return false;
        }

        var path = uri.AbsolutePath.Trim('/');
        var lastSlash = path.LastIndexOf('/');
        if (lastSlash <= 0 || lastSlash == path.Length - 1)
        {
            error = "the URL must name an application and a stream: rtmp(s)://host/app/stream";
            return false;
        }

        var secure = uri.Scheme == "rtmps";
        url = new RtmpUrl(
            uri.Host,
            uri.IsDefaultPort || uri.Port <= 0 ? (secure ? DefaultSecurePort : DefaultPort) : uri.Port,
            Uri.UnescapeDataString(path[..lastSlash]),
            Uri.UnescapeDataString(path[(lastSlash + 1)..]) + uri.Query,
            secure);
        error = "";
        return true;
    }

    /// <summary>The URL without the stream name (which may hold a key), for logs and the API.</summary>
    public override string ToString() => $"{TcUrl}/…";
}
