using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LiveRelay.Integration.Tests.Infrastructure;

namespace LiveRelay.Integration.Tests.Newsroom;

/// <summary>The admin API's contract as a client sees it over HTTP: auth, status codes, bodies.</summary>
[Collection(ServerCollection.Name)]
public sealed class NewsroomApiContractTests(ServerFixture fixture)
{
    private readonly ServerProcess _server = fixture.Server;
    private readonly NewsroomDriver _newsroom = new(fixture.Server);

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer not-the-admin-token-at-all")]
    [InlineData("Basic YWRtaW46YWRtaW4=")]
    public async Task AdminApi_NoOrWrongBearer_Is401WithErrorAndNothingCreated(string? authorization)
    {
        var title = $"unauthorized-{Guid.NewGuid():N}";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/rundowns") { Content = JsonContent.Create(new { title }) };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await _server.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("error").GetString()));
        var (status, list) = await _server.AdminAsync(HttpMethod.Get, "/api/rundowns");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.DoesNotContain(list.EnumerateArray(), r => r.GetProperty("title").GetString() == title);
    }

    [Fact]
    public async Task AdminApi_GetWithoutBearer_Is401()
    {
        using var response = await _server.Http.GetAsync("/api/rundowns");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task CreateRundownAndItem_ValidInput_Are201WithIds()
    {
        var (status, rundown) = await _server.AdminAsync(HttpMethod.Post, "/api/rundowns", new { title = "Evening news" });

        Assert.Equal(HttpStatusCode.Created, status);
        var id = rundown.GetProperty("id").GetString();
        Assert.False(string.IsNullOrEmpty(id));
        Assert.Equal("Evening news", rundown.GetProperty("title").GetString());
        Assert.Equal($"program/{id}", rundown.GetProperty("programPath").GetString());
        Assert.Equal("slate", rundown.GetProperty("fallback").GetString());

        var (itemStatus, item) = await _server.AdminAsync(HttpMethod.Post, $"/api/rundowns/{id}/items", new { title = "Opening", source = "live/cam1" });

        Assert.Equal(HttpStatusCode.Created, itemStatus);
        var itemId = item.GetProperty("id").GetString();
        Assert.False(string.IsNullOrEmpty(itemId));
        Assert.Equal("live/cam1", item.GetProperty("source").GetString());
        Assert.Equal("pending", item.GetProperty("state").GetString());
        var (_, stored) = await _server.AdminAsync(HttpMethod.Get, $"/api/rundowns/{id}");
        Assert.Equal(itemId, stored.GetProperty("items")[0].GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Null, stored.GetProperty("onAirItemId").ValueKind);
    }

    [Fact]
    public async Task Take_ItemWhoseSourceIsLive_Is202AndRundownShowsItOnAir()
    {
        const string feed = "live/contract-cam1";
        await using var publisher = await _newsroom.PublishAsync(feed, seconds: 30);
        var rundownId = await _newsroom.CreateRundownAsync("Contract take");
        var itemId = await _newsroom.AddItemAsync(rundownId, "Opening", feed);

        var (status, body) = await _server.AdminAsync(HttpMethod.Post, $"/api/rundowns/{rundownId}/take", new { itemId });

        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal(itemId, body.GetProperty("onAirItemId").GetString());
        var (getStatus, rundown) = await _server.AdminAsync(HttpMethod.Get, $"/api/rundowns/{rundownId}");
        Assert.Equal(HttpStatusCode.OK, getStatus);
        Assert.Equal(itemId, rundown.GetProperty("onAirItemId").GetString());
        Assert.Equal("onAir", rundown.GetProperty("items")[0].GetProperty("state").GetString());
        var program = await _newsroom.WaitForProgramAsync(rundownId, p => p.GetProperty("mode").GetString() == "onAir", "on air");
        Assert.Equal(feed, program.GetProperty("showingSource").GetString());
        Assert.Equal(itemId, program.GetProperty("onAirItemId").GetString());
        Assert.Equal(1, program.GetProperty("takes").GetInt32());
    }

    [Fact]
    public async Task Take_ItemWhoseSourceIsNotLive_Is409WithErrorAndNothingOnAir()
    {
        var rundownId = await _newsroom.CreateRundownAsync("Contract not live");
        var itemId = await _newsroom.AddItemAsync(rundownId, "Nobody here", "live/contract-nobody");

        var (status, body) = await _server.AdminAsync(HttpMethod.Post, $"/api/rundowns/{rundownId}/take", new { itemId });

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("live/contract-nobody is not live", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        var (_, rundown) = await _server.AdminAsync(HttpMethod.Get, $"/api/rundowns/{rundownId}");
        Assert.Equal(JsonValueKind.Null, rundown.GetProperty("onAirItemId").ValueKind);
        Assert.Equal("pending", rundown.GetProperty("items")[0].GetProperty("state").GetString());
    }

    public static TheoryData<string, string, string> InvalidInputs => new()
    {
        // path, JSON body, a word the error must contain
        { "/api/rundowns", """{"title":""}""", "title" },
        { "/api/rundowns", """{"title":"   "}""", "title" },
        { "/api/rundowns", """{"title":"x","fallback":"sometimes"}""", "" },
        { "/api/rundowns", """{"title":"x","fallback":"feed"}""", "fallbackSource" },
        { "/api/rundowns", """{"title":""", "" },
        { "/api/rundowns", """{"title":42}""", "" },
        { "/api/stations", """{"name":"Partner","code":"NOT VALID"}""", "code" },
        { "/api/shares", """{"kind":"rundown"}""", "targetId" },
    };

    [Theory]
    [MemberData(nameof(InvalidInputs))]
    public async Task Post_InvalidInput_Is400WithErrorMessage(string path, string json, string mentions)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ServerProcess.TestAdminToken);

        using var response = await _server.Http.SendAsync(request);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        var error = JsonDocument.Parse(text).RootElement.GetProperty("error").GetString();
        Assert.False(string.IsNullOrWhiteSpace(error));
        Assert.Contains(mentions, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"title":""}""", "title")]
    [InlineData("""{"title":"Bad source","source":"no slashes here"}""", "source")]
    public async Task AddItem_InvalidInput_Is400WithErrorMessage(string json, string mentions)
    {
        var rundownId = await _newsroom.CreateRundownAsync("Contract items");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/rundowns/{rundownId}/items") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ServerProcess.TestAdminToken);

        using var response = await _server.Http.SendAsync(request);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        Assert.Contains(mentions, JsonDocument.Parse(text).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        var (_, rundown) = await _server.AdminAsync(HttpMethod.Get, $"/api/rundowns/{rundownId}");
        Assert.Equal(0, rundown.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Take_WithoutItemId_Is400()
    {
        var rundownId = await _newsroom.CreateRundownAsync("Contract take without item");

        var (status, body) = await _server.AdminAsync(HttpMethod.Post, $"/api/rundowns/{rundownId}/take", new { });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("itemId", body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Take_UnknownRundown_Is404WithError()
    {
        var (status, body) = await _server.AdminAsync(HttpMethod.Post, "/api/rundowns/0000000000000000/take", new { itemId = "x" });

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("does not exist", body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }
}
