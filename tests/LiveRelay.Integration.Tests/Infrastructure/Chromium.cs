using Microsoft.Playwright;

namespace LiveRelay.Integration.Tests.Infrastructure;

/// <summary>
/// Debian's Chromium (<c>/usr/bin/chromium</c>), headless, driven by Playwright; no browser is ever
/// downloaded. Background networking is off: this machine's network is closed, and Chromium would
/// otherwise keep trying to reach Google's services.
/// </summary>
public sealed class Chromium : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>A fake camera (a moving test pattern) and microphone (a beep), granted without asking; WebRTC to loopback candidates allowed.</summary>
    public static readonly string[] FakeMedia =
    [
        "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--allow-loopback-in-peer-connection",
    ];

    private readonly IPlaywright _playwright;

    private Chromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    /// <summary>Starts Chromium; <paramref name="extraArguments"/> add to the switches (e.g. <see cref="FakeMedia"/>).</summary>
    public static async Task<Chromium> LaunchAsync(params string[] extraArguments)
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"{ExecutablePath} is missing: scripts/setup.sh installs Debian's chromium package.");
        }

        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--autoplay-policy=no-user-gesture-required",
                .. extraArguments,
            ],
        });
        return new Chromium(playwright, browser);
    }

    /// <summary>A fresh context (its own cookies) on a 1366×768 laptop screen.</summary>
    public Task<IBrowserContext> NewContextAsync(string baseUrl) =>
        Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl,
            ViewportSize = new ViewportSize { Width = 1366, Height = 768 },
        });

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}
