namespace LiveRelay.Newsroom.Model;

/// <summary>A member of the exchange network (a city or provincial station, or a partner outlet).</summary>
/// <param name="Id">Identifier.</param>
/// <param name="Name">Display name, e.g. 杭州电视台.</param>
/// <param name="Code">Short unique code used in links and logs, e.g. <c>hztv</c>.</param>
/// <param name="CreatedAt">When the station was added.</param>
public sealed record Station(string Id, string Name, string Code, DateTimeOffset CreatedAt);
