using System.Net;
using System.Text.Json;
using LiveRelay.Integration.Tests.Infrastructure;

namespace LiveRelay.Integration.Tests.Newsroom;

/// <summary>
/// Drives the newsroom's admin API the way the control page does (rundowns, items, takes, shares) and
/// watches the program output's state, which the API is the only view of: so the waits poll it.
/// </summary>
internal sealed class NewsroomDriver(ServerProcess server)
{
    /// <summary>Video and audio frames the program carries per second: 25 fps and 44.1 kHz AAC (43 frames).</summary>
    public const int FramesPerSecond = 25 + 43;

    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(100);

    public ServerProcess Server => server;

    /// <summary>Starts a generated feed over RTMP and returns once the server has it live.</summary>
    public async Task<ExternalProcess> PublishAsync(string path, double seconds, int toneHz = 1000, string source = "testsrc2")
    {
        var mark = server.Process.Mark();
        var publisher = Ffmpeg.Publish(server.RtmpUrl(path), seconds, toneHz, source);
        try
        {
            await server.Process.WaitForOutputAsync($"Publishing {path}", TimeSpan.FromSeconds(60), mark);
        }
        catch (TimeoutException)
        {
            await publisher.DisposeAsync();
            throw new InvalidOperationException($"ffmpeg did not start publishing {path}:\n{ExternalProcess.Tail(publisher.AllOutput)}\nserver:\n{ExternalProcess.Tail(server.Log)}");
        }

        return publisher;
    }

    public async Task<string> CreateRundownAsync(string title)
    {
        var (status, body) = await server.AdminAsync(HttpMethod.Post, "/api/rundowns", new { title });
        Assert.True(status == HttpStatusCode.Created, $"POST /api/rundowns: {(int)status} {body}");
        return body.GetProperty("id").GetString()!;
    }

    public async Task<string> AddItemAsync(string rundownId, string title, string source)
    {
        var (status, body) = await server.AdminAsync(HttpMethod.Post, $"/api/rundowns/{rundownId}/items", new { title, source });
        Assert.True(status == HttpStatusCode.Created, $"POST items: {(int)status} {body}");
        return body.GetProperty("id").GetString()!;
    }

    /// <summary>Takes an item (202) and waits until the program shows its source, with no take pending.</summary>
    public async Task<JsonElement> TakeAsync(string rundownId, string itemId, string source)
    {
        var (status, body) = await server.AdminAsync(HttpMethod.Post, $"/api/rundowns/{rundownId}/take", new { itemId });
        Assert.True(status == HttpStatusCode.Accepted, $"take: {(int)status} {body}");
        return await WaitForProgramAsync(
            rundownId,
            p => p.GetProperty("mode").GetString() == "onAir" && Text(p, "showingSource") == source && Text(p, "pendingSource") is null,
            $"on air with {source}");
    }

    /// <summary>A rundown with one item on air: the feed is published, taken, and showing in the program.</summary>
    public async Task<OnAirRundown> StartOnAirAsync(string feedPath, double seconds, int toneHz = 1000)
    {
        var publisher = await PublishAsync(feedPath, seconds, toneHz);
        try
        {
            var rundownId = await CreateRundownAsync($"Rundown for {feedPath}");
            var itemId = await AddItemAsync(rundownId, "Opening", feedPath);
            await TakeAsync(rundownId, itemId, feedPath);
            return new OnAirRundown(rundownId, itemId, $"program/{rundownId}", feedPath, publisher);
        }
        catch
        {
            await publisher.DisposeAsync();
            throw;
        }
    }

    public async Task<JsonElement> GetProgramAsync(string rundownId)
    {
        var (status, body) = await server.AdminAsync(HttpMethod.Get, $"/api/rundowns/{rundownId}/program");
        Assert.True(status == HttpStatusCode.OK, $"GET program: {(int)status} {body}");
        return body;
    }

    /// <summary>Polls the program status until <paramref name="condition"/> holds (30 s at most).</summary>
    public async Task<JsonElement> WaitForProgramAsync(string rundownId, Func<JsonElement, bool> condition, string what)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        JsonElement last = default;
        while (!deadline.IsCancellationRequested)
        {
            last = await GetProgramAsync(rundownId);
            if (condition(last))
            {
                return last;
            }

            await Delay(deadline.Token);
        }

        throw new TimeoutException($"program of {rundownId} was not {what} within 30 s; last status: {last}\nserver:\n{ExternalProcess.Tail(server.Log)}");
    }

    /// <summary>
    /// Waits until the stream at <paramref name="path"/> has taken in <paramref name="seconds"/> more of
    /// media (counted in frames, see <see cref="FramesPerSecond"/>), i.e. until that much has played.
    /// </summary>
    public async Task WaitForMediaAsync(string path, double seconds)
    {
        var start = await FramesInAsync(path);
        var target = start + (long)(seconds * FramesPerSecond);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30) + TimeSpan.FromSeconds(seconds * 3));
        var now = start;
        while (!deadline.IsCancellationRequested)
        {
            now = await FramesInAsync(path);
            if (now >= target)
            {
                return;
            }

            await Delay(deadline.Token);
        }

        throw new TimeoutException($"{path} took in {now - start} frames, not {target - start}");
    }

    /// <summary>The pull log entries of a station (or of a stream), newest first.</summary>
    public async Task<List<JsonElement>> PullsAsync(string query)
    {
        var (status, body) = await server.AdminAsync(HttpMethod.Get, $"/api/pull-log?{query}");
        Assert.True(status == HttpStatusCode.OK, $"GET pulls: {(int)status} {body}");
        return [.. body.EnumerateArray()];
    }

    /// <summary>Polls the pull log (written in the background) until <paramref name="condition"/> holds.</summary>
    public async Task<List<JsonElement>> WaitForPullsAsync(string query, Func<List<JsonElement>, bool> condition, string what)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        List<JsonElement> last = [];
        while (!deadline.IsCancellationRequested)
        {
            last = await PullsAsync(query);
            if (condition(last))
            {
                return last;
            }

            await Delay(deadline.Token);
        }

        throw new TimeoutException($"the pull log ({query}) did not show {what} within 30 s:\n{string.Join('\n', last)}");
    }

    public static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private async Task<long> FramesInAsync(string path) =>
        (await server.FindStreamAsync(path) ?? throw new InvalidOperationException($"{path} is not listed")).GetProperty("framesIn").GetInt64();

    private static async Task Delay(CancellationToken token)
    {
        try
        {
            await Task.Delay(s_poll, token);
        }
        catch (OperationCanceledException)
        {
        }
    }
}

/// <summary>A rundown whose only item is on air, with the feed's publisher (killed on dispose).</summary>
internal sealed record OnAirRundown(string RundownId, string ItemId, string ProgramPath, string FeedPath, ExternalProcess Publisher) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => Publisher.DisposeAsync();
}
