using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LiveRelay.Integration.Tests.Infrastructure;

namespace LiveRelay.Integration.Tests.Control;

/// <summary>Stations and signed-in users for the control tests, made through the API as an operator would.</summary>
internal sealed class ControlAccounts(ServerProcess server)
{
    public const string Password = "correct horse 42";

    public async Task<string> CreateStationAsync(string name)
    {
        var code = "st-" + Guid.NewGuid().ToString("N")[..10];
        var (status, body) = await server.AdminAsync(HttpMethod.Post, "/api/stations", new { name, code });
        Assert.True(status == HttpStatusCode.Created, $"POST /api/stations: {(int)status} {body}");
        return body.GetProperty("id").GetString()!;
    }

    /// <summary>Creates a user with the admin token and signs in: the user's name and bearer token.</summary>
    public async Task<(string Username, string Token)> CreateUserAsync(string? stationId, string role = "director")
    {
        var username = "u" + Guid.NewGuid().ToString("N")[..12];
        var (status, body) = await server.AdminAsync(HttpMethod.Post, "/api/users", new { username, password = Password, role, stationId });
        Assert.True(status == HttpStatusCode.Created, $"POST /api/users: {(int)status} {body}");
        return (username, await SignInAsync(username, Password));
    }

    /// <summary>A client of its own without cookies: a sign-in must not leak into the shared client's requests.</summary>
    public HttpClient NewClient() => new(new HttpClientHandler { UseCookies = false }) { BaseAddress = new Uri(server.HttpUrl("/")) };

    public async Task<string> SignInAsync(string username, string password)
    {
        using var http = NewClient();
        using var response = await http.PostAsJsonAsync("/api/auth/login", new { username, password });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"login: {(int)response.StatusCode} {body}");
        return body.GetProperty("token").GetString()!;
    }

    /// <summary>Connects the node SignalR client and fails the test with the reason when it cannot.</summary>
    public async Task<NodeHubClient> ConnectAsync(string token)
    {
        var (client, state) = await NodeHubClient.ConnectAsync(server, token);
        if (state.GetProperty("state").GetString() != "connected")
        {
            await client.DisposeAsync();
            Assert.Fail($"hub connection failed: {state}\n{ExternalProcess.Tail(server.Log)}");
        }

        return client;
    }
}
