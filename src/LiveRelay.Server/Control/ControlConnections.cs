using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace LiveRelay.Server.Control;

/// <summary>The hub connections of each user, so that removing a user closes their open pages at once.</summary>
public sealed class ControlConnections
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, HubCallerContext>> _byUser = new(StringComparer.Ordinal);

    public void Add(string userId, HubCallerContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _byUser.GetOrAdd(userId, _ => new(StringComparer.Ordinal))[connection.ConnectionId] = connection;
    }

    public void Remove(string userId, string connectionId)
    {
        if (_byUser.TryGetValue(userId, out var connections) && connections.TryRemove(connectionId, out _) && connections.IsEmpty)
        {
            _byUser.TryRemove(new KeyValuePair<string, ConcurrentDictionary<string, HubCallerContext>>(userId, connections));
        }
    }

    /// <summary>Closes every connection of the user; returns how many there were.</summary>
    public int AbortAll(string userId)
    {
        if (!_byUser.TryRemove(userId, out var connections))
        {
            return 0;
        }

        foreach (var connection in connections.Values)
        {
            connection.Abort();
        }

        return connections.Count;
    }
}
