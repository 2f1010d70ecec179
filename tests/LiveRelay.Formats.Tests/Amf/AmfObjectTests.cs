using LiveRelay.Formats.Amf;

namespace LiveRelay.Formats.Tests.Amf;

public class AmfObjectTests
{
    [Fact]
    public void Indexer_MissingKey_ReturnsNull()
    {
        var obj = new AmfObject { { "app", "live" } };

        Assert.Null(obj["tcUrl"]);
        Assert.Equal("live", obj["app"]);
    }

    [Fact]
    public void Enumerate_AfterAdds_KeepsInsertionOrder()
    {
        var obj = new AmfObject { { "z", 1.0 }, { "a", 2.0 }, { "m", 3.0 } };

        Assert.Equal(new[] { "z", "a", "m" }, obj.Select(p => p.Key));
        Assert.Equal(3, obj.Count);
    }

    [Fact]
    public void IndexerSet_ExistingKey_ReplacesInPlace()
    {
        var obj = new AmfObject { { "a", 1.0 }, { "b", 2.0 } };

        obj["a"] = "changed";
        obj["c"] = 3.0;

        Assert.Equal(new[] { "a", "b", "c" }, obj.Select(p => p.Key));
        Assert.Equal("changed", obj["a"]);
    }

    [Fact]
    public void Add_DuplicateKey_ThrowsArgumentException()
    {
        var obj = new AmfObject { { "a", 1.0 } };

        Assert.Throws<ArgumentException>(() => obj.Add("a", 2.0));
        Assert.Equal(1.0, obj["a"]);
    }

    [Fact]
    public void TryGetString_StringValue_ReturnsIt()
    {
        var obj = new AmfObject { { "app", "live" }, { "n", 1.0 } };

        Assert.True(obj.TryGetString("app", out var app));
        Assert.Equal("live", app);
        Assert.False(obj.TryGetString("n", out _));
        Assert.False(obj.TryGetString("missing", out _));
    }

    [Fact]
    public void TryGetNumber_AnyNumericType_ReturnsDouble()
    {
        var obj = new AmfObject { { "d", 29.97 }, { "i", 1280 }, { "l", 5_000_000_000L }, { "s", "720" } };

        Assert.True(obj.TryGetNumber("d", out var d));
        Assert.Equal(29.97, d);
        Assert.True(obj.TryGetNumber("i", out var i));
        Assert.Equal(1280.0, i);
        Assert.True(obj.TryGetNumber("l", out var l));
        Assert.Equal(5e9, l);
        Assert.False(obj.TryGetNumber("s", out _));
        Assert.False(obj.TryGetNumber("missing", out _));
    }

    [Fact]
    public void TryGetBoolean_BoolValue_ReturnsIt()
    {
        var obj = new AmfObject { { "stereo", true }, { "n", 1.0 } };

        Assert.True(obj.TryGetBoolean("stereo", out var stereo));
        Assert.True(stereo);
        Assert.False(obj.TryGetBoolean("n", out _));
    }

    [Fact]
    public void ContainsKey_NullValue_ReturnsTrue()
    {
        var obj = new AmfObject { { "nothing", null } };

        Assert.True(obj.ContainsKey("nothing"));
        Assert.True(obj.TryGetValue("nothing", out var value));
        Assert.Null(value);
        Assert.False(obj.ContainsKey("other"));
    }

    [Fact]
    public void Indexer_ManyKeys_FindsEveryKeyAndKeepsOrder()
    {
        var obj = new AmfObject();
        for (var i = 0; i < 100; i++)
        {
            obj.Add($"k{i}", (double)i);
        }

        obj["k5"] = "five";

        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(i == 5 ? "five" : (object)(double)i, obj[$"k{i}"]);
        }

        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"k{i}"), obj.Select(p => p.Key));
        Assert.Throws<ArgumentException>(() => obj.Add("k99", 0.0));
        Assert.Null(obj["k100"]);
    }

    [Fact]
    public void Constructor_EcmaArrayFlag_IsKeptWithInitializer()
    {
        var obj = new AmfObject(isEcmaArray: true) { { "duration", 0.0 } };

        Assert.True(obj.IsEcmaArray);
        Assert.False(new AmfObject().IsEcmaArray);
        Assert.Equal(0.0, obj["duration"]);
    }

    [Fact]
    public void Keys_AreCaseSensitive()
    {
        var obj = new AmfObject { { "App", "a" }, { "app", "b" } };

        Assert.Equal("a", obj["App"]);
        Assert.Equal("b", obj["app"]);
    }
}
