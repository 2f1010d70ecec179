using LiveRelay.Newsroom.Model;

namespace LiveRelay.Newsroom.Tests.Storage;

public abstract partial class NewsroomStoreTests
{
    [Fact]
    public async Task SavePullSourceAsync_RoundTrips_ReplacesById_AndRefusesATakenPath()
    {
        var door = new PullDefinition("p1", "cams/door", "rtsp://admin:secret@10.0.0.5:554/Streaming/Channels/101", "udp", true, 45, T0);
        var drone = new PullDefinition("p2", "cams/drone", "rtmp://10.0.0.9/live/drone", "tcp", false, 30, T0.AddSeconds(1));
        Assert.True(await Store.SavePullSourceAsync(door));
        Assert.True(await Store.SavePullSourceAsync(drone));
        Assert.Equal([door, drone], await Store.ListPullSourcesAsync());

        var changed = door with { Url = "rtsps://admin:secret@10.0.0.5:322/Streaming/Channels/102", Transport = "tcp", OnDemand = false };
        Assert.True(await Store.SavePullSourceAsync(changed));
        Assert.Equal([changed, drone], await Store.ListPullSourcesAsync());

        Assert.False(await Store.SavePullSourceAsync(new PullDefinition("p3", "cams/door", "rtmp://elsewhere/a/b", "tcp", false, 30, T0)));
        Assert.True(await Store.DeletePullSourceAsync("p1"));
        Assert.False(await Store.DeletePullSourceAsync("p1"));
        Assert.Equal([drone], await Store.ListPullSourcesAsync());
    }

    [Fact]
    public async Task SaveRelayTargetAsync_RoundTrips_ReplacesById_AndDeletes()
    {
        var cloud = new RelayDefinition("r1", "program/show", "rtmp://push.example.cn/live/key-1", T0);
        var srt = new RelayDefinition("r2", "program/show", "srt://10.1.1.1:9000?streamid=publish:show", T0.AddSeconds(1));
        await Store.SaveRelayTargetAsync(cloud);
        await Store.SaveRelayTargetAsync(srt);
        Assert.Equal([cloud, srt], await Store.ListRelayTargetsAsync());

        var rotated = cloud with { Url = "rtmps://push.example.cn:443/live/key-2" };
        await Store.SaveRelayTargetAsync(rotated);
        Assert.Equal([rotated, srt], await Store.ListRelayTargetsAsync());

        Assert.True(await Store.DeleteRelayTargetAsync("r2"));
        Assert.Equal([rotated], await Store.ListRelayTargetsAsync());
    }
}
