namespace LiveRelay.Newsroom.Model;

/// <summary>A pull source: the server pulls <see cref="Url"/> into the live path <see cref="Path"/>.</summary>
/// <param name="Id">Identifier (<c>config-…</c> for the ones in configuration).</param>
/// <param name="Path">The live path it publishes at, e.g. <c>cams/door</c>.</param>
/// <param name="Url">What is pulled: <c>rtsp(s)://</c>, <c>rtmp(s)://</c>, <c>srt://</c> or an <c>http(s)://…m3u8</c> playlist; may carry credentials.</param>
/// <param name="Transport"><c>tcp</c> or <c>udp</c> (how RTSP carries RTP).</param>
/// <param name="OnDemand">Started when the first player asks for the path, stopped <paramref name="IdleSeconds"/> after the last leaves.</param>
/// <param name="IdleSeconds">How long an on-demand pull runs without players.</param>
/// <param name="CreatedAt">When it was defined.</param>
public sealed record PullDefinition(string Id, string Path, string Url, string Transport, bool OnDemand, int IdleSeconds, DateTimeOffset CreatedAt);

/// <summary>A relay-out target: push the live stream <see cref="Source"/> to <see cref="Url"/>.</summary>
/// <param name="Id">Identifier (<c>config-…</c> for the ones in configuration).</param>
/// <param name="Source">The live path pushed, e.g. <c>program/abc</c>.</param>
/// <param name="Url">Where: <c>rtmp(s)://host/app/key</c> or <c>srt://host:port?streamid=…</c>; may carry a key.</param>
/// <param name="CreatedAt">When it was defined.</param>
public sealed record RelayDefinition(string Id, string Source, string Url, DateTimeOffset CreatedAt);
