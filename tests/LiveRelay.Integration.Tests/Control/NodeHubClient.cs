using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using LiveRelay.Integration.Tests.Infrastructure;

namespace LiveRelay.Integration.Tests.Control;

/// <summary>
/// The real <c>@microsoft/signalr</c> JavaScript client, under node, connected to the control hub
/// (hub-client.mjs). Commands are invoked through its stdin; everything the hub sends is kept and can
/// be awaited.
/// </summary>
internal sealed class NodeHubClient : IAsyncDisposable
{
    private readonly Process _node;
    private readonly List<JsonElement> _events = [];
    private readonly Dictionary<int, TaskCompletionSource<JsonElement>> _calls = [];
    private readonly TaskCompletionSource<JsonElement> _state = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<JsonElement> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lock = new();
    private readonly Task _reader;
    private readonly System.Text.StringBuilder _stderr = new();
    private TaskCompletionSource _newEvent = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _nextId;

    private NodeHubClient(string hubUrl, string? token)
    {
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Control", "hub-client.mjs"));
        start.ArgumentList.Add(hubUrl);
        start.ArgumentList.Add(token ?? "");
        start.ArgumentList.Add(Path.Combine(ServerProcess.RepositoryRoot, "src", "LiveRelay.Server", "node_modules"));
        _node = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        _node.ErrorDataReceived += (_, e) =>
        {
            lock (_stderr)
            {
                _stderr.AppendLine(e.Data);
            }
        };
        _node.BeginErrorReadLine();
        _reader = Task.Run(ReadAsync);
    }

    /// <summary>Everything the hub sent so far, in order: (event name, first argument).</summary>
    public IReadOnlyList<JsonElement> Events
    {
        get
        {
            lock (_lock)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>Connects; the connection's outcome is in <see cref="ConnectAsync"/>'s result ("connected" or "failed" with an error).</summary>
    public static async Task<(NodeHubClient Client, JsonElement State)> ConnectAsync(ServerProcess server, string? token)
    {
        var client = new NodeHubClient(server.HttpUrl("/hubs/control"), token);
        var state = await client._state.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return (client, state);
    }

    /// <summary>Invokes a hub method and returns its result (throws with the hub's error).</summary>
    public async Task<JsonElement> InvokeAsync(string method, params object?[] args)
    {
        var tcs = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        int id;
        lock (_lock)
        {
            id = ++_nextId;
            _calls[id] = tcs;
        }

        var request = new JsonObject { ["id"] = id, ["invoke"] = method, ["args"] = JsonSerializer.SerializeToNode(args) };
        await _node.StandardInput.WriteLineAsync(request.ToJsonString());
        await _node.StandardInput.FlushAsync();
        var reply = await tcs.Task.WaitAsync(TimeSpan.FromSeconds(30));
        if (reply.TryGetProperty("error", out var error))
        {
            throw new InvalidOperationException($"{method}: {error.GetString()}");
        }

        return reply.GetProperty("result");
    }

    /// <summary>Waits until the connection is closed (by the server, or because node exited).</summary>
    public Task<JsonElement> WaitForStateAsync(string state, TimeSpan timeout) =>
        state == "closed" ? _closed.Task.WaitAsync(timeout) : throw new ArgumentException("only \"closed\" can be awaited", nameof(state));

    /// <summary>Waits for an event named <paramref name="name"/> whose first argument satisfies <paramref name="match"/> (events already received count).</summary>
    public async Task<JsonElement> WaitForEventAsync(string name, Func<JsonElement, bool> match, TimeSpan timeout, string what)
    {
        using var deadline = new CancellationTokenSource(timeout);
        var seen = 0;
        while (true)
        {
            Task next;
            lock (_lock)
            {
                for (; seen < _events.Count; seen++)
                {
                    var e = _events[seen];
                    if (e.GetProperty("event").GetString() == name && match(e.GetProperty("args")[0]))
                    {
                        return e.GetProperty("args")[0];
                    }
                }

                next = _newEvent.Task;
            }

            try
            {
                await next.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no '{name}' event with {what} within {timeout.TotalSeconds} s; got: {string.Join(", ", Events.Select(e => e.GetProperty("event").GetString()).Distinct())}\n{Stderr}");
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _node.StandardInput.Close();
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _node.WaitForExitAsync(wait.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException)
        {
            _node.Kill(entireProcessTree: true);
        }

        await _reader;
        _node.Dispose();
    }

    private async Task ReadAsync()
    {
        while (await _node.StandardOutput.ReadLineAsync() is { } line)
        {
            JsonElement message;
            try
            {
                message = JsonDocument.Parse(line).RootElement;
            }
            catch (JsonException)
            {
                continue;
            }

            if (message.TryGetProperty("state", out var state))
            {
                _state.TrySetResult(message);
                if (state.GetString() == "closed")
                {
                    _closed.TrySetResult(message);
                }
            }
            else if (message.TryGetProperty("event", out _))
            {
                TaskCompletionSource signal;
                lock (_lock)
                {
                    _events.Add(message);
                    signal = _newEvent;
                    _newEvent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                signal.TrySetResult();
            }
            else if (message.TryGetProperty("id", out var id))
            {
                TaskCompletionSource<JsonElement>? call;
                lock (_lock)
                {
                    _calls.Remove(id.GetInt32(), out call);
                }

                call?.TrySetResult(message);
            }
        }

        var exited = JsonDocument.Parse("""{"state":"closed","error":"node exited"}""").RootElement;
        _state.TrySetResult(exited);
        _closed.TrySetResult(exited);
    }
}
