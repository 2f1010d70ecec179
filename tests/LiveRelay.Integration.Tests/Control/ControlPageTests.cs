using System.Diagnostics;
using System.Net;
using LiveRelay.Integration.Tests.Infrastructure;
using LiveRelay.Integration.Tests.Newsroom;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace LiveRelay.Integration.Tests.Control;

/// <summary>
/// The control page in headless Chromium (Debian's, through Playwright) against a server of its own
/// (the multiview numbers every live feed, so other tests' feeds must not be there), with ffmpeg
/// publishing two feeds that look and sound different.
/// </summary>
public sealed class ControlPageTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int ToneA = 1000;
    private const int ToneB = 440;
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    private readonly TempFiles _files = new();
    private ServerProcess? _server;
    private Chromium? _chromium;

    private ServerProcess Server => _server!;

    public async Task InitializeAsync()
    {
        _server = await ServerProcess.StartAsync($"--LiveRelay:Auth:AdminToken={ServerProcess.TestAdminToken}");
        _chromium = await Chromium.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        if (_chromium is not null)
        {
            await _chromium.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _files.Dispose();
    }

    [Fact]
    public async Task Director_PressesTheDigitOfTheSecondFeedAndTakes_ProgramSwitches_AndAnotherPageSeesTheTally()
    {
        var newsroom = new NewsroomDriver(Server);
        var accounts = new ControlAccounts(Server);
        var station = await accounts.CreateStationAsync("Hangzhou TV");
        var (director, _) = await accounts.CreateUserAsync(station, "admin");
        var (producer, _) = await accounts.CreateUserAsync(station);
        const string feedA = "live/a-studio";
        const string feedB = "live/b-bars";
        var publishers = await Task.WhenAll(
            newsroom.PublishAsync(feedA, seconds: 120, toneHz: ToneA, source: "testsrc2"),
            newsroom.PublishAsync(feedB, seconds: 120, toneHz: ToneB, source: "smptebars"));
        await using var publisherA = publishers[0];
        await using var publisherB = publishers[1];
        var rundownId = await newsroom.CreateRundownAsync("Evening news");
        var itemA = await newsroom.AddItemAsync(rundownId, "Studio", feedA);
        await newsroom.AddItemAsync(rundownId, "Bars", feedB);
        await newsroom.TakeAsync(rundownId, itemA, feedA);

        await using var directorContext = await _chromium!.NewContextAsync(Server.HttpUrl("/"));
        await using var producerContext = await _chromium.NewContextAsync(Server.HttpUrl("/"));
        var page = await SignInAsync(directorContext, director, rundownId);
        var watcher = await SignInAsync(producerContext, producer, rundownId);
        var tileA = page.Locator($".tile[data-path='{feedA}']");
        var tileB = page.Locator($".tile[data-path='{feedB}']");
        await Assertions.Expect(tileA).ToHaveAttributeAsync("data-tally", "program", new() { Timeout = 30_000 });
        await Assertions.Expect(tileB).ToBeVisibleAsync(new() { Timeout = 30_000 });

        // The tiles get their pictures from the thumbnailer.
        await Assertions.Expect(tileB.Locator("img.tile-image")).ToBeVisibleAsync(new() { Timeout = 30_000 });

        // Record the program while the director switches it.
        var recording = _files.File("program.flv");
        await using var recorder = Ffmpeg.Record(Server.RtmpUrl($"program/{rundownId}"), recording, 10);
        await recorder.WaitForOutputAsync("Output #0", s_wait);
        await newsroom.WaitForMediaAsync($"program/{rundownId}", 3);

        var digit = (await tileB.Locator(".tile-number").TextContentAsync())?.Trim() ?? "";
        Assert.Equal("2", digit);
        await page.Keyboard.PressAsync(digit);
        await Assertions.Expect(tileB).ToHaveAttributeAsync("data-tally", "preview");
        await Assertions.Expect(page.Locator("#take")).ToBeEnabledAsync();
        var clock = Stopwatch.StartNew();
        await page.Keyboard.PressAsync("Space");

        await Assertions.Expect(tileB).ToHaveAttributeAsync("data-tally", "program", new() { Timeout = 10_000 });
        await Assertions.Expect(watcher.Locator($".tile[data-path='{feedB}']")).ToHaveAttributeAsync("data-tally", "program", new() { Timeout = 10_000 });
        output.WriteLine($"second page showed the new tally {clock.ElapsedMilliseconds} ms after the key press");
        await Assertions.Expect(watcher.Locator($".tile[data-path='{feedA}']")).ToHaveAttributeAsync("data-tally", "none");
        await Assertions.Expect(page.Locator($"#rundown-items .item[data-state='onAir']")).ToContainTextAsync("Bars");

        Assert.True(await recorder.WaitForExitAsync(s_wait) == 0, recorder.AllOutput);
        var tones = await MediaContent.TonesAsync(recording, recording + ".pcm", ToneA, ToneB);
        Assert.True(
            MediaContent.Runs(tones, minimumRun: 2, MediaContent.Unclear).SequenceEqual([ToneA, ToneB]),
            $"tones per 0.5 s were {string.Join(' ', tones)}");
        var pictures = await MediaContent.PicturesAsync(recording, recording + ".gray");
        Assert.True(
            MediaContent.Runs(pictures, minimumRun: 5).SequenceEqual([Picture.Pattern, Picture.Bars]),
            $"pictures were {string.Join(' ', MediaContent.Runs(pictures, minimumRun: 1))}");

        await SaveScreenshotAsync(page, "control-page.png");
    }

    [Fact]
    public async Task SharePanel_ListsThePartnersLinks_AndItsPullWhileItRuns()
    {
        var newsroom = new NewsroomDriver(Server);
        var accounts = new ControlAccounts(Server);
        var (director, _) = await accounts.CreateUserAsync(null);
        await using var onAir = await newsroom.StartOnAirAsync("live/share-panel", seconds: 120);
        var partner = await accounts.CreateStationAsync("Ningbo TV");
        var (status, share) = await Server.AdminAsync(HttpMethod.Post, "/api/shares", new { kind = "rundown", targetId = onAir.RundownId, stationId = partner });
        Assert.True(status == HttpStatusCode.Created, share.ToString());

        await using var context = await _chromium!.NewContextAsync(Server.HttpUrl("/"));
        var page = await SignInAsync(context, director, onAir.RundownId);
        var panel = page.Locator($"#share-list .share[data-share-id='{share.GetProperty("id").GetString()}']");
        await Assertions.Expect(panel).ToContainTextAsync("Ningbo TV", new() { Timeout = 30_000 });
        var copy = panel.GetByRole(AriaRole.Button, new() { Name = "Copy RTMP link for Ningbo TV" });
        await Assertions.Expect(copy).ToBeVisibleAsync();

        // The partner pulls the program with the link the panel shows.
        var rtmpLink = await panel.Locator(".link-row", new() { HasText = "RTMP" }).First.Locator("input").InputValueAsync();
        Assert.Contains($"program/{onAir.RundownId}", rtmpLink);
        Assert.Contains("token=", rtmpLink);
        var pulled = _files.File("partner.flv");
        await using (var puller = Ffmpeg.Record(rtmpLink, pulled, 30))
        {
            var pull = page.Locator("#pulls li.pull");
            await Assertions.Expect(pull).ToContainTextAsync("Ningbo TV", new() { Timeout = 30_000 });
            await Assertions.Expect(pull).ToContainTextAsync("RTMP");
            await SaveScreenshotAsync(page, "control-page-shares.png");
            puller.Kill();
            await Assertions.Expect(pull).ToHaveCountAsync(0, new() { Timeout = 30_000 });
        }
    }

    [Fact]
    public async Task RefusedCommand_ThePageSaysWhy()
    {
        var accounts = new ControlAccounts(Server);
        var owner = await accounts.CreateStationAsync("Owner TV");
        var partner = await accounts.CreateStationAsync("Partner TV");
        var (ownerUser, ownerToken) = await accounts.CreateUserAsync(owner);
        var (partnerUser, _) = await accounts.CreateUserAsync(partner);
        await using var ownerHub = await accounts.ConnectAsync(ownerToken);
        var rundown = (await ownerHub.InvokeAsync("CreateRundown", new { title = "Owner's show" })).GetProperty("rundown");
        var rundownId = rundown.GetProperty("id").GetString()!;
        var (status, share) = await Server.AdminAsync(HttpMethod.Post, "/api/shares", new { kind = "rundown", targetId = rundownId, stationId = partner });
        Assert.True(status == HttpStatusCode.Created, share.ToString());
        await using var publisher = await new NewsroomDriver(Server).PublishAsync("live/refused", seconds: 60);

        await using var context = await _chromium!.NewContextAsync(Server.HttpUrl("/"));
        var page = await SignInAsync(context, partnerUser, rundownId);
        await Assertions.Expect(page.Locator(".tile[data-path='live/refused']")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#take")).ToBeDisabledAsync();

        await page.ClickAsync(".tile[data-path='live/refused']");

        var error = page.Locator("#command-error");
        await Assertions.Expect(error).ToBeVisibleAsync();
        await Assertions.Expect(error).ToContainTextAsync("belongs to another station");
        Assert.Equal("alert", await error.GetAttributeAsync("role"));
        Assert.Contains($"{partnerUser}: preview source on rundown {rundownId} refused", Server.Log);
        Assert.DoesNotContain(ownerUser, await page.Locator("#user-name").TextContentAsync() ?? "");
    }

    [Fact]
    public async Task DragAnItemToTheTop_ReordersTheRundown_ForEveryone()
    {
        var newsroom = new NewsroomDriver(Server);
        var accounts = new ControlAccounts(Server);
        var (director, token) = await accounts.CreateUserAsync(null);
        var rundownId = await newsroom.CreateRundownAsync("Drag test");
        var opening = await newsroom.AddItemAsync(rundownId, "Opening", "live/one");
        var weather = await newsroom.AddItemAsync(rundownId, "Weather", "live/two");
        var sports = await newsroom.AddItemAsync(rundownId, "Sports", "live/three");
        await using var other = await accounts.ConnectAsync(token);
        await using var context = await _chromium!.NewContextAsync(Server.HttpUrl("/"));
        var page = await SignInAsync(context, director, rundownId);
        var items = page.Locator("#rundown-items li.item");
        await Assertions.Expect(items).ToHaveCountAsync(3, new() { Timeout = 30_000 });

        await page.Locator($"li.item[data-item-id='{sports}']").DragToAsync(
            page.Locator($"li.item[data-item-id='{opening}']"),
            new() { TargetPosition = new() { X = 20, Y = 3 } });

        await Assertions.Expect(items.First).ToHaveAttributeAsync("data-item-id", sports);
        var changed = await other.WaitForEventAsync(
            "rundownChanged",
            r => r.GetProperty("id").GetString() == rundownId && r.GetProperty("items")[0].GetProperty("id").GetString() == sports,
            s_wait,
            "the dragged order");
        Assert.Equal([sports, opening, weather], changed.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task WrongPassword_SaysSo_AndTheHubWasNeverJoined()
    {
        var accounts = new ControlAccounts(Server);
        var (user, _) = await accounts.CreateUserAsync(null);
        await using var context = await _chromium!.NewContextAsync(Server.HttpUrl("/"));
        var page = await context.NewPageAsync();
        await page.GotoAsync("/control");

        await page.FillAsync("#login-username", user);
        await page.FillAsync("#login-password", "not the password");
        await page.ClickAsync("#login-submit");

        await Assertions.Expect(page.Locator("#login-error")).ToContainTextAsync("wrong username or password");
        await Assertions.Expect(page.Locator("#app")).ToBeHiddenAsync();
        Assert.DoesNotContain($"Control page of {user}", Server.Log);
    }

    [Fact]
    public async Task ServerRestarts_PageShowsTheBanner_ThenReconnectsByItselfWithTheSameSignIn()
    {
        var accounts = new ControlAccounts(Server);
        var (user, _) = await accounts.CreateUserAsync(null);
        await using var context = await _chromium!.NewContextAsync(Server.HttpUrl("/"));
        var page = await SignInAsync(context, user, rundownId: null);
        var banner = page.Locator("#connection-banner");
        await Assertions.Expect(banner).ToBeHiddenAsync();

        _server = await Server.RestartAsync(async () =>
        {
            await Assertions.Expect(banner).ToBeVisibleAsync(new() { Timeout = 30_000 });
            Assert.Equal("alert", await banner.GetAttributeAsync("role"));
        });

        // The sign-in keys are kept in the data directory: the same cookie works after the restart.
        await Server.Process.WaitForOutputAsync($"Control page of {user}", s_wait);
        await Assertions.Expect(banner).ToBeHiddenAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#login")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task Layout_At1366x768_FitsWithoutHorizontalScrolling_AndEveryButtonHasAName()
    {
        var accounts = new ControlAccounts(Server);
        var (user, _) = await accounts.CreateUserAsync(null);
        await new NewsroomDriver(Server).CreateRundownAsync("Layout check");
        await using var context = await _chromium!.NewContextAsync(Server.HttpUrl("/"));
        var page = await SignInAsync(context, user, rundownId: null);

        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
        Assert.True(overflow <= 0, $"the page is {overflow} px wider than a 1366 px screen");
        var unnamed = await page.EvaluateAsync<string[]>(
            """
            () => [...document.querySelectorAll('button, [role=button]')]
                .filter(b => b.offsetParent !== null)
                .filter(b => !(b.getAttribute('aria-label') || b.textContent.trim()))
                .map(b => b.outerHTML.slice(0, 120))
            """);
        Assert.Empty(unnamed);
        await Assertions.Expect(page.Locator("#take")).ToHaveAttributeAsync("aria-label", "Take preview to program");
    }

    private async Task<IPage> SignInAsync(IBrowserContext context, string username, string? rundownId)
    {
        var page = await context.NewPageAsync();
        page.Console += (_, message) => output.WriteLine($"[{username} console] {message.Type}: {message.Text}");
        using (var response = await Server.Http.GetAsync("/control/"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await page.GotoAsync("/control");
        await page.FillAsync("#login-username", username);
        await page.FillAsync("#login-password", ControlAccounts.Password);
        await page.ClickAsync("#login-submit");
        await Assertions.Expect(page.Locator("#app")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        if (rundownId is not null)
        {
            await Assertions.Expect(page.Locator($"#rundown-select option[value='{rundownId}']")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
            await page.SelectOptionAsync("#rundown-select", rundownId);
        }

        return page;
    }

    /// <summary>Saves a screenshot next to the test results (artifacts/test-results), as a test artifact.</summary>
    private async Task SaveScreenshotAsync(IPage page, string name)
    {
        var directory = Path.Combine(ServerProcess.RepositoryRoot, "artifacts", "test-results");
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = file });
        output.WriteLine($"screenshot: {file}");
    }
}
