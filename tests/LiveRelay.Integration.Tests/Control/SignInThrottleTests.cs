using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LiveRelay.Integration.Tests.Infrastructure;

namespace LiveRelay.Integration.Tests.Control;

/// <summary>Failed sign-ins are limited per address (a server of its own: the limit would lock the shared server's tests out).</summary>
public sealed class SignInThrottleTests : IAsyncLifetime
{
    private ServerProcess? _server;

    public async Task InitializeAsync() =>
        _server = await ServerProcess.StartAsync($"--LiveRelay:Auth:AdminToken={ServerProcess.TestAdminToken}");

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task TenFailedSignInsInAMinute_NextIs429WithRetryAfter_EvenWithTheRightPassword()
    {
        var accounts = new ControlAccounts(_server!);
        var (username, _) = await accounts.CreateUserAsync(null);
        using var http = accounts.NewClient();
        for (var i = 0; i < 10; i++)
        {
            using var wrong = await http.PostAsJsonAsync("/api/auth/login", new { username, password = $"guess {i}" });
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var refused = await http.PostAsJsonAsync("/api/auth/login", new { username, password = ControlAccounts.Password });

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("60", refused.Headers.GetValues("Retry-After").Single());
        Assert.Contains("too many failed sign-ins", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        Assert.Equal(10, _server!.Log.Split($"Sign-in as {username} from 127.0.0.1 refused").Length - 1);
    }
}
