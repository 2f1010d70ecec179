namespace LiveRelay.Protocols.Rtmp.Client;

/// <summary>
/// An <c>rtmp://host[:port]/app/stream</c> URL split the way servers expect it: the first path
/// segment is the application (with any further segments but the last, as nginx-rtmp and SRS read
/// them), the last segment with the query is the stream name (keys often travel there).
/// </summary>
public sealed record RtmpUrl(string Host, int Port, string App, string StreamName)
{
    public const int DefaultPort = 1935;

    /// <summary>The tcUrl sent in connect: the URL up to the application.</summary>
    public string TcUrl => $"rtmp://{Host}{(Port == DefaultPort ? "" : $":{Port}")}/{App}";

    public static bool TryParse(string? text, out RtmpUrl? url, out string error)
    {
        url = null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme != "rtmp")
        {
            error = "an rtmp://host[:port]/app/stream URL is required";
            return false;
        }

        var path = uri.AbsolutePath.Trim('/');
        var lastSlash = path.LastIndexOf('/');
        if (lastSlash <= 0 || lastSlash == path.Length - 1)
        {
            error = "the URL must name an application and a stream: rtmp://host/app/stream";
            return false;
        }

        url = new RtmpUrl(
            uri.Host,
            uri.IsDefaultPort || uri.Port <= 0 ? DefaultPort : uri.Port,
            Uri.UnescapeDataString(path[..lastSlash]),
            Uri.UnescapeDataString(path[(lastSlash + 1)..]) + uri.Query);
        error = "";
        return true;
    }

    /// <summary>The URL without the stream name (which may hold a key), for logs and the API.</summary>
    public override string ToString() => $"{TcUrl}/…";
}
