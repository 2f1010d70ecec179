using System.Security.Cryptography;
using LiveRelay.Core.Access;
using LiveRelay.Newsroom.Access;
using LiveRelay.Newsroom.Model;
using LiveRelay.Newsroom.Storage;
using LiveRelay.Newsroom.Tests.TestSupport;
using LiveRelay.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace LiveRelay.Newsroom.Tests.Access;

/// <summary>The play check with its real collaborators: a share registry, and a pull log over a SQLite store.</summary>
public sealed class PullAuthorizerTests : IAsyncLifetime
{
    private const string Program = "program/r1";
    private const string Remote = "198.51.100.4:50001";
    private static readonly byte[] s_key = RandomNumberGenerator.GetBytes(32);

    private readonly TempDirectory _directory = new();
    private readonly ManualTimeProvider _time = new();
    private readonly ShareRegistry _shares = new();
    private readonly PlayTokens _tokens = new(s_key);
    private readonly List<PullAuthorizer> _authorizers = [];
    private readonly DateTimeOffset _t0;
    private SqliteNewsroomStore? _store;
    private PullLog? _log;

    public PullAuthorizerTests() => _t0 = _time.GetUtcNow();

    private SqliteNewsroomStore Store => _store!;

    private PullLog Log => _log!;

    public static TheoryData<string, string, string> BadTokens() => new()
    {
        // case, station the refusal is logged under, refusal text
        { "another key", "", "the token is malformed or forged" },
        { "garbage", "", "the token is malformed or forged" },
        { "expired", "s1", "the token expired at" },
        { "another stream", "s1", "the token is for live/cam9, not program/r1" },
        { "revoked share", "s1", "the share was revoked or has expired" },
        { "unknown share", "s1", "the share was revoked or has expired" },
    };

    public async Task InitializeAsync()
    {
        _store = new SqliteNewsroomStore(_directory.File("newsroom.db"));
        await _store.MigrateAsync();
        _log = new PullLog(_store, NullLogger<PullLog>.Instance);
        _shares.Set(new Share("sh1", ShareKind.Rundown, "r1", "s1", null, null, _t0));
    }

    public async Task DisposeAsync()
    {
        foreach (var authorizer in _authorizers)
        {
            authorizer.Dispose();
        }

        if (_log is not null)
        {
            await _log.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }

    [Fact]
    public async Task Authorize_NoToken_AllowsAndLogsNothing()
    {
        var authorizer = NewAuthorizer();

        var decision = authorizer.Authorize(new PlaybackRequest(Program, "rtmp", Remote, null));

        Assert.True(decision.Allowed);
        Assert.Null(decision.Refusal);
        Assert.Equal(0, authorizer.LivePulls);
        Assert.Empty(await PullsAsync());
    }

    [Fact]
    public async Task Authorize_NoTokenWhenRequired_Refuses()
    {
        var authorizer = NewAuthorizer(requireToken: true);

        var decision = authorizer.Authorize(new PlaybackRequest(Program, "flv", Remote, null));

        Assert.False(decision.Allowed);
        Assert.Equal($"{Program} needs a play token (?token=… from a share's pull links)", decision.Refusal);
        Assert.True(authorizer.Authorize(new PlaybackRequest(Program, "flv", Remote, Token())).Allowed);
        Assert.Single(await PullsAsync());
    }

    [Fact]
    public async Task Authorize_ValidToken_AllowsAndLogsThePull()
    {
        var authorizer = NewAuthorizer();

        var decision = authorizer.Authorize(new PlaybackRequest(Program, "rtmp", Remote, Token()));

        Assert.True(decision.Allowed);
        Assert.Equal(1, authorizer.LivePulls);
        var pull = Assert.Single(await PullsAsync());
        Assert.Equal("s1", pull.StationId);
        Assert.Equal("sh1", pull.ShareId);
        Assert.Equal(Program, pull.StreamPath);
        Assert.Equal("rtmp", pull.Protocol);
        Assert.Equal(Remote, pull.RemoteAddress);
        Assert.Equal(_t0, pull.StartedAt);
        Assert.Null(pull.EndedAt);
        Assert.Null(pull.Refusal);
        Assert.Equal(0, pull.Bytes);
    }

    [Fact]
    public async Task Dispose_GrantWithBytes_LogsEndTimeAndBytes()
    {
        var authorizer = NewAuthorizer();
        var grant = authorizer.Authorize(new PlaybackRequest(Program, "srt", Remote, Token())).Grant!;
        grant.AddBytes(1_000);
        grant.AddBytes(234);
        _time.Advance(TimeSpan.FromSeconds(90));

        grant.Dispose();

        Assert.Equal(0, authorizer.LivePulls);
        var pull = Assert.Single(await PullsAsync());
        Assert.Equal(_t0, pull.StartedAt);
        Assert.Equal(_t0.AddSeconds(90), pull.EndedAt);
        Assert.Equal(1_234, pull.Bytes);
        Assert.Null(pull.Refusal);
    }

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task Authorize_BadToken_RefusesAndLogsTheRefusal(string badCase, string loggedStation, string refusal)
    {
        var authorizer = NewAuthorizer();
        var token = badCase switch
        {
            "another key" => new PlayTokens(RandomNumberGenerator.GetBytes(32)).Issue(new PlayTokenClaims("s1", Program, "sh1", _t0.AddHours(1))),
            "garbage" => "not-a-token",
            "expired" => Token(expiresAt: _t0.AddMinutes(-1)),
            "another stream" => Token(path: "live/cam9"),
            "revoked share" => RevokedShareToken(),
            "unknown share" => _tokens.Issue(new PlayTokenClaims("s1", Program, "sh-unknown", _t0.AddHours(1))),
            _ => throw new ArgumentOutOfRangeException(nameof(badCase)),
        };

        var decision = authorizer.Authorize(new PlaybackRequest(Program, "flv", Remote, token));

        Assert.False(decision.Allowed);
        Assert.StartsWith(refusal, decision.Refusal, StringComparison.Ordinal);
        Assert.Equal(0, authorizer.LivePulls);
        var pull = Assert.Single(await PullsAsync());
        Assert.Equal(loggedStation, pull.StationId);
        Assert.Equal(Program, pull.StreamPath);
        Assert.Equal("flv", pull.Protocol);
        Assert.Equal(Remote, pull.RemoteAddress);
        Assert.Equal(_t0, pull.StartedAt);
        Assert.Equal(_t0, pull.EndedAt);
        Assert.Equal(decision.Refusal, pull.Refusal);
    }

    [Fact]
    public async Task ShareRegistrySet_RevokedShare_FiresGrantRevokedAndLogsTheReason()
    {
        var authorizer = NewAuthorizer();
        var token = Token();
        var grant = authorizer.Authorize(new PlaybackRequest(Program, "rtmp", Remote, token)).Grant!;
        Assert.False(grant.Revoked.IsCancellationRequested);

        _time.Advance(TimeSpan.FromSeconds(3));
        _shares.Set(new Share("sh1", ShareKind.Rundown, "r1", "s1", null, _time.GetUtcNow(), _t0));

        Assert.True(grant.Revoked.IsCancellationRequested);
        Assert.Equal("the share was revoked", grant.RevokedReason);
        grant.AddBytes(77);
        grant.Dispose(); // what the egress does when Revoked fires
        var again = authorizer.Authorize(new PlaybackRequest(Program, "rtmp", Remote, token));
        Assert.False(again.Allowed);
        var pulls = await PullsAsync();
        Assert.Equal(2, pulls.Count);
        var ended = Assert.Single(pulls, p => p.Refusal == "the share was revoked");
        Assert.Equal(_t0.AddSeconds(3), ended.EndedAt);
        Assert.Equal(77, ended.Bytes);
        Assert.Single(pulls, p => p.Refusal == "the share was revoked or has expired");
    }

    [Fact]
    public async Task Sweep_ShareExpired_RevokesTheGrant()
    {
        _shares.Set(new Share("sh2", ShareKind.Feed, "f1", "s1", _t0.AddSeconds(8), null, _t0));
        var authorizer = NewAuthorizer();
        var grant = authorizer.Authorize(new PlaybackRequest("live/cam1", "rtmp", Remote, Token(path: "live/cam1", shareId: "sh2"))).Grant!;

        _time.Advance(TimeSpan.FromSeconds(6)); // first sweep: still active
        Assert.False(grant.Revoked.IsCancellationRequested);
        _time.Advance(TimeSpan.FromSeconds(5)); // second sweep, past the share's end

        Assert.True(grant.Revoked.IsCancellationRequested);
        grant.Dispose();
        var pull = Assert.Single(await PullsAsync());
        Assert.Equal("the share has expired", pull.Refusal);
        Assert.Equal(_t0.AddSeconds(11), pull.EndedAt);
    }

    [Fact]
    public async Task Authorize_HlsRequestsWithSameTokenAndAddress_MakeOnePull()
    {
        var authorizer = NewAuthorizer();
        var token = Token();

        var playlist = authorizer.Authorize(new PlaybackRequest(Program, "hls", "198.51.100.4:50001", token));
        _time.Advance(TimeSpan.FromSeconds(2));
        var segment = authorizer.Authorize(new PlaybackRequest(Program, "hls", "198.51.100.4:50002", token));
        playlist.Grant!.AddBytes(500);
        playlist.Grant.Dispose();
        segment.Grant!.AddBytes(100_000);
        segment.Grant.Dispose();

        Assert.True(playlist.Allowed);
        Assert.True(segment.Allowed);
        Assert.Equal(1, authorizer.LivePulls);
        var open = Assert.Single(await PullsAsync());
        Assert.Null(open.EndedAt);

        _time.Advance(TimeSpan.FromSeconds(25)); // quiet for longer than the HLS idle time: the sweep ends the pull

        Assert.Equal(0, authorizer.LivePulls);
        var ended = Assert.Single(await PullsAsync());
        Assert.Equal(open.Id, ended.Id);
        Assert.Equal("hls", ended.Protocol);
        Assert.Equal(_t0.AddSeconds(27), ended.EndedAt);
        Assert.Equal(100_500, ended.Bytes);
    }

    [Fact]
    public async Task Authorize_HlsRequestsFromTwoAddresses_MakeTwoPulls()
    {
        var authorizer = NewAuthorizer();
        var token = Token();

        Assert.True(authorizer.Authorize(new PlaybackRequest(Program, "hls", "198.51.100.4:50001", token)).Allowed);
        Assert.True(authorizer.Authorize(new PlaybackRequest(Program, "hls", "203.0.113.9:50001", token)).Allowed);

        Assert.Equal(2, authorizer.LivePulls);
        Assert.Equal(["198.51.100.4:50001", "203.0.113.9:50001"], (await PullsAsync()).Select(p => p.RemoteAddress).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Authorize_HlsPullTokenOnAnotherStream_RefusesIt()
    {
        var authorizer = NewAuthorizer(requireToken: true);
        var token = Token();
        Assert.True(authorizer.Authorize(new PlaybackRequest(Program, "hls", Remote, token)).Allowed);

        // The same player and token, now asking for a stream the token does not name.
        var other = authorizer.Authorize(new PlaybackRequest("live/secret", "hls", Remote, token));

        Assert.False(other.Allowed);
        Assert.Equal("the token is for program/r1, not live/secret", other.Refusal);
        Assert.Equal(1, authorizer.LivePulls);
        var refused = Assert.Single(await PullsAsync(), p => p.Refusal is not null);
        Assert.Equal("live/secret", refused.StreamPath);
    }

    [Fact]
    public async Task ShareRegistrySet_RevokedShareOfHlsPull_EndsItAndRefusesTheNextRequest()
    {
        var authorizer = NewAuthorizer();
        var token = Token();
        var first = authorizer.Authorize(new PlaybackRequest(Program, "hls", Remote, token));
        first.Grant!.AddBytes(10);
        first.Grant.Dispose();

        _shares.Set(new Share("sh1", ShareKind.Rundown, "r1", "s1", null, _t0, _t0));
        var next = authorizer.Authorize(new PlaybackRequest(Program, "hls", Remote, token));

        Assert.False(next.Allowed);
        Assert.Equal(0, authorizer.LivePulls);
        var pulls = await PullsAsync();
        var ended = Assert.Single(pulls, p => p.Refusal == "the share was revoked");
        Assert.Equal(10, ended.Bytes);
        Assert.NotNull(ended.EndedAt);
        Assert.Single(pulls, p => p.Refusal == "the share was revoked or has expired");
    }

    private PullAuthorizer NewAuthorizer(bool requireToken = false)
    {
        var authorizer = new PullAuthorizer(_tokens, _shares, Log, _time, NullLogger<PullAuthorizer>.Instance) { RequireToken = requireToken };
        _authorizers.Add(authorizer);
        return authorizer;
    }

    private string Token(string path = Program, string shareId = "sh1", DateTimeOffset? expiresAt = null) =>
        _tokens.Issue(new PlayTokenClaims("s1", path, shareId, expiresAt ?? _t0.AddHours(1)));

    private string RevokedShareToken()
    {
        _shares.Set(new Share("sh3", ShareKind.Rundown, "r1", "s1", null, _t0, _t0));
        return Token(shareId: "sh3");
    }

    private async Task<IReadOnlyList<PullRecord>> PullsAsync()
    {
        await Log.FlushAsync();
        return await Store.ListPullsAsync(new PullQuery());
    }
}
