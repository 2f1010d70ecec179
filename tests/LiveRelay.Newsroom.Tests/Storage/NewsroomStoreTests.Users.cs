using LiveRelay.Newsroom.Model;

namespace LiveRelay.Newsroom.Tests.Storage;

public abstract partial class NewsroomStoreTests
{
    [Fact]
    public async Task AddUserAsync_RoundTripsWithItsHash_AndListsByStation()
    {
        Assert.True(await Store.AddStationAsync(new Station("s1", "Hangzhou TV", "hztv", T0)));
        var chen = new User("u1", "s1", "chen", "陈导", UserRole.Admin, T0);
        var li = new User("u2", null, "li", "Li", UserRole.Director, T0.AddSeconds(1));

        Assert.True(await Store.AddUserAsync(chen, "hash-of-chen"));
        Assert.True(await Store.AddUserAsync(li, "hash-of-li"));

        Assert.Equal(chen, await Store.GetUserAsync("u1"));
        var found = await Store.FindUserAsync("chen");
        Assert.Equal((chen, "hash-of-chen"), found);
        Assert.Null(await Store.FindUserAsync("CHEN-nobody"));
        Assert.Equal([chen, li], await Store.ListUsersAsync());
        Assert.Equal([chen], await Store.ListUsersAsync("s1"));
    }

    [Fact]
    public async Task AddUserAsync_TakenUsername_IsFalseAndKeepsTheFirst()
    {
        var first = new User("u1", null, "chen", "Chen", UserRole.Director, T0);
        Assert.True(await Store.AddUserAsync(first, "h1"));

        Assert.False(await Store.AddUserAsync(new User("u2", null, "chen", "Other", UserRole.Admin, T0), "h2"));

        Assert.Equal((first, "h1"), await Store.FindUserAsync("chen"));
    }

    [Fact]
    public async Task SetPasswordHashAsync_And_DeleteUserAsync_ChangeOnlyThatUser()
    {
        Assert.True(await Store.AddUserAsync(new User("u1", null, "chen", "Chen", UserRole.Director, T0), "old"));
        Assert.True(await Store.AddUserAsync(new User("u2", null, "li", "Li", UserRole.Director, T0), "li-hash"));

        Assert.True(await Store.SetPasswordHashAsync("u1", "new"));
        Assert.False(await Store.SetPasswordHashAsync("nobody", "x"));
        Assert.Equal("new", (await Store.FindUserAsync("chen"))!.Value.PasswordHash);

        Assert.True(await Store.DeleteUserAsync("u1"));
        Assert.False(await Store.DeleteUserAsync("u1"));
        Assert.Null(await Store.GetUserAsync("u1"));
        Assert.Equal("li-hash", (await Store.FindUserAsync("li"))!.Value.PasswordHash);
    }

    [Fact]
    public async Task DeleteStationAsync_RemovesItsUsers()
    {
        Assert.True(await Store.AddStationAsync(new Station("s1", "Hangzhou TV", "hztv", T0)));
        Assert.True(await Store.AddUserAsync(new User("u1", "s1", "chen", "Chen", UserRole.Director, T0), "h"));

        Assert.True(await Store.DeleteStationAsync("s1"));

        Assert.Null(await Store.GetUserAsync("u1"));
    }
}
