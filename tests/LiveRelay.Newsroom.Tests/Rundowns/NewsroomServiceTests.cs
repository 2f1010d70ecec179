using LiveRelay.Core.Streams;
using LiveRelay.Newsroom.Access;
using LiveRelay.Newsroom.Model;
using LiveRelay.Newsroom.Rundowns;
using LiveRelay.Newsroom.Storage;
using LiveRelay.Newsroom.Switching;
using LiveRelay.Newsroom.Tests.TestSupport;
using LiveRelay.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace LiveRelay.Newsroom.Tests.Rundowns;

/// <summary>The newsroom commands over a real SQLite store, a real hub and a hand-moved clock.</summary>
public sealed class NewsroomServiceTests : IAsyncLifetime
{
    private static readonly LinkBases s_bases = new("http://hub.example.com:8080", "rtmp://hub.example.com:1935", "srt://hub.example.com:9000");

    private readonly TempDirectory _directory = new();
    private readonly ManualTimeProvider _time = new();
    private readonly ShareRegistry _shares = new();
    private readonly PlayTokens _tokens = new(PlayTokens.KeyFrom(PlayTokens.NewSecret()));
    private readonly StreamHub _hub;
    private readonly SlateLibrary _slates;
    private readonly SqliteNewsroomStore _store;
    private readonly NewsroomService _service;
    private readonly List<Rundown> _changes = [];

    public NewsroomServiceTests()
    {
        _hub = new StreamHub(new StreamOptions(), _time);
        _slates = new SlateLibrary(_directory.File("slates"), null, NullLogger<SlateLibrary>.Instance);
        _store = new SqliteNewsroomStore(_directory.File("newsroom.db"));
        _service = new NewsroomService(_store, _hub, _slates, new ProgramOptions(), _shares, _tokens, _time, null, NullLoggerFactory.Instance);
        _service.RundownChanged += _changes.Add;
    }

    public static TheoryData<string?> BadStationCodes() =>
        [null, "", "h", "HZTV", "hz tv", "-hz", "hz_tv", "杭州", new string('a', 33)];

    public static TheoryData<string?, string> BadPaths() => new()
    {
        { "", "path: the stream path is empty" },
        { "cam1", "path: a stream path has 2 to 4 segments, like app/stream" },
        { "live/cam 1", "path: ' ' is not allowed in a stream path (use letters, digits, - _ . ~)" },
        { "live/../cam1", "path: '.' and '..' are not path segments" },
        { "a/b/c/d/e", "path: a stream path has 2 to 4 segments, like app/stream" },
    };

    public async Task InitializeAsync()
    {
        await _store.MigrateAsync();
        await _service.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        _slates.Dispose();
        _hub.Dispose();
        SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public async Task AddStationAsync_NoName_ReturnsInvalid(string? name)
    {
        var result = await _service.AddStationAsync(new NewStation(name, "hztv"));

        AssertFailed(result, NewsroomError.Invalid, "name is required");
        Assert.Empty(await _store.ListStationsAsync());
    }

    [Theory]
    [MemberData(nameof(BadStationCodes))]
    public async Task AddStationAsync_BadCode_ReturnsInvalid(string? code)
    {
        var result = await _service.AddStationAsync(new NewStation("Hangzhou TV", code));

        AssertFailed(result, NewsroomError.Invalid, "code must be 2–32 characters of a–z, 0–9 and '-', e.g. \"hztv\"");
        Assert.Empty(await _store.ListStationsAsync());
    }

    [Fact]
    public async Task AddStationAsync_Valid_StoresItWithTrimmedName()
    {
        var result = await _service.AddStationAsync(new NewStation("  杭州电视台 ", "hztv-2"));

        Assert.True(result.Ok, result.Message);
        Assert.Equal("杭州电视台", result.Value!.Name);
        Assert.Equal(_time.GetUtcNow(), result.Value.CreatedAt);
        Assert.Equal(result.Value, await _store.GetStationAsync(result.Value.Id));
    }

    [Fact]
    public async Task AddStationAsync_CodeTaken_ReturnsConflict()
    {
        await Station("hztv");

        var result = await _service.AddStationAsync(new NewStation("Other", "hztv"));

        AssertFailed(result, NewsroomError.Conflict, "a station with code 'hztv' exists");
    }

    [Theory]
    [MemberData(nameof(BadPaths))]
    public async Task AddFeedAsync_BadPath_ReturnsInvalid(string? path, string message)
    {
        var result = await _service.AddFeedAsync(new NewFeed("Cam 1", path, null, null, null));

        AssertFailed(result, NewsroomError.Invalid, message);
        Assert.Empty(await _store.ListFeedsAsync());
    }

    [Theory]
    [InlineData("ftp://example.com/cam1")]
    [InlineData("not a url")]
    [InlineData("/relative/path")]
    public async Task AddFeedAsync_BadPullUrl_ReturnsInvalid(string url)
    {
        var result = await _service.AddFeedAsync(new NewFeed("Cam 1", "live/cam1", null, null, url));

        AssertFailed(result, NewsroomError.Invalid, "pullUrl must be an absolute rtmp://, rtmps://, srt://, rtsp://, rtsps://, http:// or https:// URL");
    }

    [Fact]
    public async Task AddFeedAsync_UnknownStation_ReturnsInvalid()
    {
        var result = await _service.AddFeedAsync(new NewFeed("Cam 1", "live/cam1", "nope", null, null));

        AssertFailed(result, NewsroomError.Invalid, "station nope does not exist");
    }

    [Fact]
    public async Task AddFeedAsync_Valid_NormalizesPathAndBlanks()
    {
        var station = await Station("hztv");

        var result = await _service.AddFeedAsync(new NewFeed(" Cam 1 ", "/live/cam1/", station.Id, "  ", " srt://10.0.0.1:9000 "));

        Assert.True(result.Ok, result.Message);
        var feed = result.Value!;
        Assert.Equal(new Feed(feed.Id, station.Id, "Cam 1", "live/cam1", null, "srt://10.0.0.1:9000", _time.GetUtcNow()), feed);
        Assert.Equal(feed, await _store.GetFeedAsync(feed.Id));
    }

    [Theory]
    [InlineData(null, "title is required")]
    [InlineData(" ", "title is required")]
    [InlineData("x201", "title is longer than 200 characters")]
    public async Task CreateRundownAsync_BadTitle_ReturnsInvalid(string? title, string message)
    {
        title = title == "x201" ? new string('x', 201) : title;

        var result = await _service.CreateRundownAsync(new NewRundown(title, null, null, null, null, null));

        AssertFailed(result, NewsroomError.Invalid, message);
        Assert.Empty(await _store.ListRundownsAsync());
        Assert.Empty(_changes);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public async Task CreateRundownAsync_FeedFallbackWithoutSource_ReturnsInvalid(string? fallbackSource)
    {
        var result = await _service.CreateRundownAsync(new NewRundown("News", null, null, FallbackMode.Feed, fallbackSource, null));

        AssertFailed(result, NewsroomError.Invalid, "fallbackSource (a stream path) is required when fallback is \"feed\"");
    }

    [Fact]
    public async Task CreateRundownAsync_BadFallbackSource_ReturnsInvalid()
    {
        var result = await _service.CreateRundownAsync(new NewRundown("News", null, null, FallbackMode.Feed, "backup", null));

        AssertFailed(result, NewsroomError.Invalid, "fallbackSource: a stream path has 2 to 4 segments, like app/stream");
    }

    [Fact]
    public async Task CreateRundownAsync_Valid_StoresVersionOneAndRaisesChanged()
    {
        var planned = _time.GetUtcNow().AddHours(3);

        var result = await _service.CreateRundownAsync(new NewRundown(" Evening news ", null, planned, FallbackMode.Feed, "live/backup", false));

        Assert.True(result.Ok, result.Message);
        var rundown = result.Value!;
        Assert.Equal("Evening news", rundown.Title);
        Assert.Equal(1, rundown.Version);
        Assert.Equal(planned, rundown.PlannedStart);
        Assert.Equal(FallbackMode.Feed, rundown.Fallback);
        Assert.Equal("live/backup", rundown.FallbackSource);
        Assert.False(rundown.ReturnWhenBack);
        Assert.Equal($"program/{rundown.Id}", rundown.ProgramPath);
        var stored = await _service.GetRundownAsync(rundown.Id);
        Assert.Equal(rundown.Title, stored!.Title);
        Assert.Equal(rundown.Version, stored.Version);
        Assert.Same(rundown, Assert.Single(_changes));
    }

    [Fact]
    public async Task AddItemAsync_NotesTooLong_ReturnsInvalid()
    {
        var rundown = await Rundown();

        var tooLong = await _service.AddItemAsync(rundown.Id, new NewItem("Opening", null, null, null, new string('n', 4001), null), null);
        var longest = await _service.AddItemAsync(rundown.Id, new NewItem("Opening", null, null, null, new string('n', 4000), null), null);

        AssertFailed(tooLong, NewsroomError.Invalid, "notes are longer than 4000 characters");
        Assert.True(longest.Ok, longest.Message);
        Assert.Equal(4000, (await _store.GetRundownAsync(rundown.Id))!.Items.Single().Notes!.Length);
    }

    [Theory]
    [InlineData("", null, null, null, "title is required")]
    [InlineData("Opening", "live/../x", null, null, "source: '.' and '..' are not path segments")]
    [InlineData("Opening", "cam1", null, null, "source: a stream path has 2 to 4 segments, like app/stream")]
    [InlineData("Opening", null, "no-such-feed", null, "feed no-such-feed does not exist")]
    [InlineData("Opening", "live/cam1", null, -1, "plannedDurationSeconds must be between 0 and 86400")]
    [InlineData("Opening", "live/cam1", null, 86_401, "plannedDurationSeconds must be between 0 and 86400")]
    public async Task AddItemAsync_BadInput_ReturnsInvalidAndChangesNothing(string title, string? source, string? feedId, int? duration, string message)
    {
        var rundown = await Rundown();

        var result = await _service.AddItemAsync(rundown.Id, new NewItem(title, source, feedId, duration, null, null), null);

        Assert.Equal(NewsroomError.Invalid, result.Error);
        Assert.Equal(message, result.Message);
        Assert.Equal(1, (await _store.GetRundownAsync(rundown.Id))!.Version);
    }

    [Fact]
    public async Task AddItemAsync_OwnProgramAsSource_ReturnsInvalid()
    {
        var rundown = await Rundown();

        var result = await _service.AddItemAsync(rundown.Id, new NewItem("Loop", rundown.ProgramPath, null, null, null, null), null);

        AssertFailed(result, NewsroomError.Invalid, "source cannot be the rundown's own program output");
    }

    [Fact]
    public async Task AddItemAsync_UnknownRundown_ReturnsNotFound()
    {
        var result = await _service.AddItemAsync("nope", new NewItem("Opening", null, null, null, null, null), null);

        AssertFailed(result, NewsroomError.NotFound, "rundown nope does not exist");
    }

    [Fact]
    public async Task AddItemAsync_AtPosition_InsertsRenumbersAndBumpsVersion()
    {
        var rundown = await Rundown();
        var feed = (await _service.AddFeedAsync(new NewFeed("Reporter 3", "live/rep3", null, null, null))).Value!;
        var a = await Item(rundown.Id, "A", "live/studio");
        var b = await Item(rundown.Id, "B", null);
        var c = await Item(rundown.Id, "C", "live/cam3");

        var result = await _service.AddItemAsync(rundown.Id, new NewItem(" D ", null, feed.Id, 90, " Cue at 0:30 ", 1), expectedVersion: 4);

        Assert.True(result.Ok, result.Message);
        var (saved, d) = result.Value;
        Assert.Equal(new RundownItem(d.Id, rundown.Id, 1, "D", "live/rep3", feed.Id, 90, "Cue at 0:30", ItemState.Pending), d);
        Assert.Equal(5, saved.Version);
        Assert.Equal([a.Id, d.Id, b.Id, c.Id], saved.Items.Select(i => i.Id));
        Assert.Equal([0, 1, 2, 3], saved.Items.Select(i => i.Position));
        var stored = await _store.GetRundownAsync(rundown.Id);
        Assert.Equal(saved.Items, stored!.Items);
        Assert.Equal(5, stored.Version);
        Assert.Equal(5, _changes.Count);
    }

    [Fact]
    public async Task ReorderAsync_EveryItemOnce_ReordersAndRenumbers()
    {
        var rundown = await Rundown();
        var a = await Item(rundown.Id, "A", null);
        var b = await Item(rundown.Id, "B", null);
        var c = await Item(rundown.Id, "C", null);

        var result = await _service.ReorderAsync(rundown.Id, [c.Id, a.Id, b.Id], expectedVersion: 4);

        Assert.True(result.Ok, result.Message);
        var stored = await _store.GetRundownAsync(rundown.Id);
        Assert.Equal([c.Id, a.Id, b.Id], stored!.Items.Select(i => i.Id));
        Assert.Equal([0, 1, 2], stored.Items.Select(i => i.Position));
        Assert.Equal(5, stored.Version);
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("duplicate")]
    [InlineData("unknown")]
    [InlineData("extra")]
    [InlineData("null")]
    public async Task ReorderAsync_NotEveryItemOnce_ReturnsInvalid(string badCase)
    {
        var rundown = await Rundown();
        var a = await Item(rundown.Id, "A", null);
        var b = await Item(rundown.Id, "B", null);
        string[]? order = badCase switch
        {
            "missing" => [b.Id],
            "duplicate" => [b.Id, b.Id],
            "unknown" => [b.Id, "zzz"],
            "extra" => [b.Id, a.Id, "zzz"],
            _ => null,
        };

        var result = await _service.ReorderAsync(rundown.Id, order, null);

        AssertFailed(result, NewsroomError.Invalid, "itemIds must list every item of the rundown exactly once");
        Assert.Equal([a.Id, b.Id], (await _store.GetRundownAsync(rundown.Id))!.Items.Select(i => i.Id));
    }

    [Fact]
    public async Task RemoveItemAsync_PreviewItem_RemovesRenumbersAndClearsPreview()
    {
        var rundown = await Rundown();
        var a = await Item(rundown.Id, "A", null);
        var b = await Item(rundown.Id, "B", null);
        var c = await Item(rundown.Id, "C", null);
        Assert.True((await _service.SetPreviewAsync(rundown.Id, b.Id, null)).Ok);

        var result = await _service.RemoveItemAsync(rundown.Id, b.Id, expectedVersion: 5);

        Assert.True(result.Ok, result.Message);
        var stored = await _store.GetRundownAsync(rundown.Id);
        Assert.Equal([a.Id, c.Id], stored!.Items.Select(i => i.Id));
        Assert.Equal([0, 1], stored.Items.Select(i => i.Position));
        Assert.Null(stored.PreviewItemId);
        AssertFailed(await _service.RemoveItemAsync(rundown.Id, b.Id, null), NewsroomError.NotFound, $"item {b.Id} is not in rundown {rundown.Id}");
    }

    [Fact]
    public async Task SetPreviewAsync_ItemThenNull_SetsAndClears()
    {
        var rundown = await Rundown();
        var a = await Item(rundown.Id, "A", "live/cam1");

        var set = await _service.SetPreviewAsync(rundown.Id, a.Id, expectedVersion: 2);
        Assert.True(set.Ok, set.Message);
        Assert.Equal(a.Id, (await _store.GetRundownAsync(rundown.Id))!.PreviewItemId);

        var cleared = await _service.SetPreviewAsync(rundown.Id, null, expectedVersion: 3);
        Assert.True(cleared.Ok, cleared.Message);
        Assert.Null((await _store.GetRundownAsync(rundown.Id))!.PreviewItemId);

        AssertFailed(await _service.SetPreviewAsync(rundown.Id, "zzz", null), NewsroomError.NotFound, $"item zzz is not in rundown {rundown.Id}");
    }

    [Fact]
    public async Task Mutate_StaleExpectedVersion_ReturnsConflictAndChangesNothing()
    {
        var rundown = await Rundown();
        var a = await Item(rundown.Id, "A", "live/cam1"); // version 2
        var before = await _store.GetRundownAsync(rundown.Id);
        const string message = "the rundown changed: it is at version 2, the change was made on version 1";

        AssertFailed(await _service.AddItemAsync(rundown.Id, new NewItem("B", null, null, null, null, null), 1), NewsroomError.Conflict, message);
        AssertFailed(await _service.UpdateRundownAsync(rundown.Id, new RundownPatch("New title", null, null, null, null), 1), NewsroomError.Conflict, message);
        AssertFailed(await _service.UpdateItemAsync(rundown.Id, a.Id, new ItemPatch("A2", null, null, null, null, null), 1), NewsroomError.Conflict, message);
        AssertFailed(await _service.ReorderAsync(rundown.Id, [a.Id], 1), NewsroomError.Conflict, message);
        AssertFailed(await _service.SetPreviewAsync(rundown.Id, a.Id, 1), NewsroomError.Conflict, message);
        AssertFailed(await _service.RemoveItemAsync(rundown.Id, a.Id, 3), NewsroomError.Conflict, "the rundown changed: it is at version 2, the change was made on version 3");

        var after = await _store.GetRundownAsync(rundown.Id);
        Assert.Equal(2, after!.Version);
        Assert.Equal(before!.Title, after.Title);
        Assert.Equal(before.Items, after.Items);
        Assert.Null(after.PreviewItemId);
    }

    [Fact]
    public async Task TakeAsync_ItemWithoutSource_ReturnsConflictAndStartsNoProgram()
    {
        var rundown = await Rundown();
        var item = await Item(rundown.Id, "Anchor reads", null);

        var result = await _service.TakeAsync(rundown.Id, item.Id);

        AssertFailed(result, NewsroomError.Conflict, "item 'Anchor reads' has no source to take");
        Assert.Null(_service.GetProgram(rundown.Id));
        Assert.Null(_hub.Find(rundown.ProgramPath));
        var stored = await _store.GetRundownAsync(rundown.Id);
        Assert.Null(stored!.OnAirItemId);
        Assert.Equal(ItemState.Pending, stored.Items.Single().State);
    }

    [Fact]
    public async Task TakeAsync_UnknownRundownOrItem_ReturnsNotFoundOrInvalid()
    {
        var rundown = await Rundown();

        AssertFailed(await _service.TakeAsync("nope", "x"), NewsroomError.NotFound, "rundown nope does not exist");
        AssertFailed(await _service.TakeAsync(rundown.Id, "x"), NewsroomError.NotFound, $"item x is not in rundown {rundown.Id}");
        AssertFailed(await _service.TakeAsync(rundown.Id, null), NewsroomError.Invalid, "itemId is required");
    }

    [Theory]
    [InlineData(ShareKind.Rundown, "rundown nope does not exist")]
    [InlineData(ShareKind.Feed, "feed nope does not exist")]
    public async Task ShareAsync_UnknownTarget_ReturnsInvalid(ShareKind kind, string message)
    {
        var station = await Station("nbtv");

        var result = await _service.ShareAsync(new NewShare(kind, "nope", station.Id, null));

        AssertFailed(result, NewsroomError.Invalid, message);
        Assert.Empty(await _store.ListSharesAsync());
    }

    [Fact]
    public async Task ShareAsync_BadInput_ReturnsInvalid()
    {
        var rundown = await Rundown();
        var station = await Station("nbtv");
        const string required = "kind (\"rundown\" or \"feed\"), targetId and stationId are required";

        AssertFailed(await _service.ShareAsync(new NewShare(null, rundown.Id, station.Id, null)), NewsroomError.Invalid, required);
        AssertFailed(await _service.ShareAsync(new NewShare(ShareKind.Rundown, " ", station.Id, null)), NewsroomError.Invalid, required);
        AssertFailed(await _service.ShareAsync(new NewShare(ShareKind.Rundown, rundown.Id, null, null)), NewsroomError.Invalid, required);
        AssertFailed(await _service.ShareAsync(new NewShare(ShareKind.Rundown, rundown.Id, "nope", null)), NewsroomError.Invalid, "station nope does not exist");
        AssertFailed(await _service.ShareAsync(new NewShare(ShareKind.Rundown, rundown.Id, station.Id, _time.GetUtcNow())), NewsroomError.Invalid, "expiresAt is in the past");
        Assert.Empty(await _store.ListSharesAsync());
    }

    [Fact]
    public async Task RevokeShareAsync_Twice_EndsShareAndSecondIsConflict()
    {
        var rundown = await Rundown();
        var station = await Station("nbtv");
        var share = (await _service.ShareAsync(new NewShare(ShareKind.Rundown, rundown.Id, station.Id, null))).Value!;
        Assert.True(_shares.IsActive(share.Id, _time.GetUtcNow()));
        _time.Advance(TimeSpan.FromMinutes(1));

        var first = await _service.RevokeShareAsync(share.Id);
        var second = await _service.RevokeShareAsync(share.Id);

        Assert.True(first.Ok, first.Message);
        Assert.Equal(_time.GetUtcNow(), first.Value!.RevokedAt);
        Assert.False(_shares.IsActive(share.Id, _time.GetUtcNow()));
        Assert.Equal(NewsroomError.Conflict, second.Error);
        AssertFailed(await _service.RevokeShareAsync("nope"), NewsroomError.NotFound, "share nope does not exist");
        AssertFailed(await _service.GetLinksAsync(share.Id, s_bases), NewsroomError.Conflict, $"share {share.Id} is revoked or expired");
    }

    [Fact]
    public async Task GetLinksAsync_RundownShare_ReturnsLinksWhoseTokensPlayOnlyTheirStream()
    {
        var rundown = await Rundown();
        var station = await Station("nbtv");
        await Item(rundown.Id, "Opening", "live/studio");
        await Item(rundown.Id, "Reporter", "live/rep3");
        await Item(rundown.Id, "Studio again", "live/studio");
        await Item(rundown.Id, "Anchor reads", null);
        var share = (await _service.ShareAsync(new NewShare(ShareKind.Rundown, rundown.Id, station.Id, null))).Value!;
        var now = _time.GetUtcNow();

        var result = await _service.GetLinksAsync(share.Id, s_bases);

        Assert.True(result.Ok, result.Message);
        var links = result.Value!;
        Assert.Equal(share.Id, links.ShareId);
        Assert.Equal(station.Id, links.StationId);
        Assert.Equal(rundown.ProgramPath, links.Program!.Stream);
        Assert.Equal("Program: News", links.Program.Title);
        Assert.Equal(["live/studio", "live/rep3"], links.Feeds.Select(f => f.Stream));
        foreach (var link in links.Feeds.Prepend(links.Program))
        {
            Assert.Equal(now.AddHours(24), link.ExpiresAt);
            AssertLinkTokens(link, station.Id, share.Id, now);
        }

        var programToken = TokenOf(links.Program.Hls);
        Assert.False(_tokens.TryValidate(programToken, "live/studio", now, out _, out _));
    }

    [Fact]
    public async Task GetLinksAsync_FeedShareEndingSooner_ReturnsOneFeedLinkExpiringWithTheShare()
    {
        var station = await Station("nbtv");
        var feed = (await _service.AddFeedAsync(new NewFeed("Cam 7", "live/cam7", null, null, null))).Value!;
        var shareEnd = _time.GetUtcNow().AddHours(2);
        var share = (await _service.ShareAsync(new NewShare(ShareKind.Feed, feed.Id, station.Id, shareEnd))).Value!;

        var result = await _service.GetLinksAsync(share.Id, s_bases with { Srt = null });

        Assert.True(result.Ok, result.Message);
        Assert.Null(result.Value!.Program);
        var link = Assert.Single(result.Value.Feeds);
        Assert.Equal("Cam 7", link.Title);
        Assert.Equal("live/cam7", link.Stream);
        Assert.Equal(shareEnd, link.ExpiresAt);
        Assert.Null(link.Srt);
        AssertLinkTokens(link, station.Id, share.Id, _time.GetUtcNow());
        Assert.False(_tokens.TryValidate(TokenOf(link.Hls), "live/cam7", shareEnd, out _, out var error));
        Assert.StartsWith("the token expired at", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetLinksAsync_UnknownShare_ReturnsNotFound()
    {
        AssertFailed(await _service.GetLinksAsync("nope", s_bases), NewsroomError.NotFound, "share nope does not exist");
    }

    private void AssertLinkTokens(PullLinks link, string stationId, string shareId, DateTimeOffset now)
    {
        var token = TokenOf(link.Hls);
        var path = link.Stream;
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        Assert.Equal($"http://hub.example.com:8080/{path}/index.m3u8?token={token}", link.Hls);
        Assert.Equal($"http://hub.example.com:8080/{path}.flv?token={token}", link.HttpFlv);
        Assert.Equal($"rtmp://hub.example.com:1935/{path[..slash]}/{path[(slash + 1)..]}?token={token}", link.Rtmp);
        if (link.Srt is not null)
        {
            Assert.Equal($"srt://hub.example.com:9000?streamid=read:{path}?token={token}", link.Srt);
        }

        Assert.True(_tokens.TryValidate(token, path, now, out var claims, out var error), error);
        Assert.Equal(stationId, claims!.StationId);
        Assert.Equal(shareId, claims.ShareId);
        Assert.Equal(path, claims.Path);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(link.ExpiresAt.ToUnixTimeSeconds()), claims.ExpiresAt);
    }

    private static string TokenOf(string url) => url[(url.IndexOf("token=", StringComparison.Ordinal) + "token=".Length)..];

    private static void AssertFailed<T>(NewsroomResult<T> result, NewsroomError error, string message)
    {
        Assert.False(result.Ok);
        Assert.Equal(error, result.Error);
        Assert.Equal(message, result.Message);
    }

    private async Task<Station> Station(string code)
    {
        var result = await _service.AddStationAsync(new NewStation("Station " + code, code));
        Assert.True(result.Ok, result.Message);
        return result.Value!;
    }

    private async Task<Rundown> Rundown()
    {
        var result = await _service.CreateRundownAsync(new NewRundown("News", null, null, null, null, null));
        Assert.True(result.Ok, result.Message);
        return result.Value!;
    }

    private async Task<RundownItem> Item(string rundownId, string title, string? source)
    {
        var result = await _service.AddItemAsync(rundownId, new NewItem(title, source, null, null, null, null), null);
        Assert.True(result.Ok, result.Message);
        return result.Value.Item;
    }
}
