namespace LiveRelay.LoadTest.Infrastructure;

/// <summary>
/// The last lines a child process wrote (stdout and stderr together), kept for error messages,
/// and a signal for the first line that contains a marker (a server's "ready" line).
/// </summary>
internal sealed class OutputTail
{
    private readonly object _lock = new();
    private readonly Queue<string> _lines = new();
    private readonly int _capacity;
    private readonly string? _marker;
    private readonly TaskCompletionSource _markerSeen = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public OutputTail(int capacity = 60, string? marker = null)
    {
        _capacity = capacity;
        _marker = marker;
    }

    /// <summary>Completes when a line containing the marker has been written.</summary>
    public Task MarkerSeen => _markerSeen.Task;

    public void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            if (_lines.Count == _capacity)
            {
                _lines.Dequeue();
            }

            _lines.Enqueue(line);
        }

        if (_marker is not null && line.Contains(_marker, StringComparison.Ordinal))
        {
            _markerSeen.TrySetResult();
        }
    }

    /// <summary>The kept lines, oldest first, indented for a report.</summary>
    public string Text(int lastLines = 20)
    {
        lock (_lock)
        {
            return string.Join(Environment.NewLine, _lines.Skip(Math.Max(0, _lines.Count - lastLines)).Select(l => "    | " + l));
        }
    }
}
