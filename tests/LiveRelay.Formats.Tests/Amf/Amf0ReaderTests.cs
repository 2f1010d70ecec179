using LiveRelay.Formats.Amf;
using static LiveRelay.Formats.Tests.Amf.AmfTestBytes;

namespace LiveRelay.Formats.Tests.Amf;

public class Amf0ReaderTests
{
    private static readonly Dictionary<string, object?> s_samples = new()
    {
        ["number"] = 29.97,
        ["negative-zero"] = -0.0,
        ["max-double"] = double.MaxValue,
        ["infinity"] = double.PositiveInfinity,
        ["nan"] = double.NaN,
        ["true"] = true,
        ["false"] = false,
        ["string"] = "rtmp://example.com/live",
        ["empty-string"] = "",
        ["chinese-string"] = "新闻直播 串联单",
        ["long-string"] = new string('L', 70_000),
        ["null"] = null,
        ["undefined"] = AmfUndefined.Value,
        ["object"] = new AmfObject { { "app", "live" }, { "n", 1.0 }, { "nested", new AmfObject { { "x", false } } } },
        ["empty-object"] = new AmfObject(),
        ["ecma-array"] = new AmfObject(isEcmaArray: true) { { "duration", 0.0 }, { "encoder", "obs-output module" } },
        ["strict-array"] = new List<object?> { 1.0, "two", null, AmfUndefined.Value, new List<object?> { true } },
        ["empty-strict-array"] = new List<object?>(),
        ["date"] = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123),
        ["epoch"] = DateTimeOffset.UnixEpoch,
        ["pre-epoch-date"] = DateTimeOffset.FromUnixTimeMilliseconds(-86_400_000),
    };

    [Theory]
    [InlineData("number")]
    [InlineData("negative-zero")]
    [InlineData("max-double")]
    [InlineData("infinity")]
    [InlineData("nan")]
    [InlineData("true")]
    [InlineData("false")]
    [InlineData("string")]
    [InlineData("empty-string")]
    [InlineData("chinese-string")]
    [InlineData("long-string")]
    [InlineData("null")]
    [InlineData("undefined")]
    [InlineData("object")]
    [InlineData("empty-object")]
    [InlineData("ecma-array")]
    [InlineData("strict-array")]
    [InlineData("empty-strict-array")]
    [InlineData("date")]
    [InlineData("epoch")]
    [InlineData("pre-epoch-date")]
    public void ReadValue_WrittenValue_RoundTrips(string sample)
    {
        var value = s_samples[sample];

        var bytes = Encode(value);
        var read = Decode(bytes);

        AssertAmfEqual(value, read);
        Assert.Equal(bytes, Encode(read)); // and the same bytes again
    }

    [Fact]
    public void ReadValue_NegativeZero_KeepsSign()
    {
        var read = Assert.IsType<double>(Decode(Encode(-0.0)));

        Assert.True(double.IsNegative(read));
    }

    [Fact]
    public void ReadValue_Date_ReturnsUtc()
    {
        var read = Assert.IsType<DateTimeOffset>(Decode(Hex("0b 4278bcfe56800000 0000")));

        Assert.Equal(TimeSpan.Zero, read.Offset);
        Assert.Equal(1_700_000_000_000, read.ToUnixTimeMilliseconds());
    }

    [Fact]
    public void ReadValue_DateWithTimeZoneField_IgnoresTimeZone()
    {
        var read = Assert.IsType<DateTimeOffset>(Decode(Hex("0b 4278bcfe56800000 ffc4")));

        Assert.Equal(1_700_000_000_000, read.ToUnixTimeMilliseconds());
    }

    [Fact]
    public void ReadValue_XmlDocument_ReturnsString()
    {
        Assert.Equal("<a/>", Decode(Hex("0f 00000004 3c612f3e")));
    }

    [Fact]
    public void ReadValue_EcmaArrayWithWrongCount_ReadsToObjectEnd()
    {
        // Some encoders write a count of 0 and then the properties anyway.
        var bytes = Hex("08 00000000  0001 61 00 3ff0000000000000  0001 62 0101  0000 09");

        var read = Assert.IsType<AmfObject>(Decode(bytes));

        Assert.True(read.IsEcmaArray);
        Assert.Equal(2, read.Count);
        Assert.Equal(1.0, read["a"]);
        Assert.Equal(true, read["b"]);
    }

    [Fact]
    public void ReadValue_RepeatedName_LastValueWinsAtFirstPosition()
    {
        var bytes = Hex("03  0001 61 00 3ff0000000000000  0001 62 05  0001 61 02 0001 7a  0000 09");

        var read = Assert.IsType<AmfObject>(Decode(bytes));

        Assert.Equal(new[] { "a", "b" }, read.Select(p => p.Key));
        Assert.Equal("z", read["a"]);
    }

    [Fact]
    public void ReadValue_BooleanNonZeroByte_IsTrue()
    {
        Assert.Equal(true, Decode(Hex("01 7f")));
    }

    [Fact]
    public void ReadValue_TwoValues_TracksConsumedAndEnd()
    {
        var bytes = Hex("02 0003 616263  00 3ff0000000000000");
        var reader = new Amf0Reader(bytes);

        Assert.False(reader.End);
        Assert.Equal("abc", reader.ReadValue());
        Assert.Equal(6, reader.Consumed);
        Assert.Equal(9, reader.Remaining.Length);
        Assert.Equal(1.0, reader.ReadValue());
        Assert.Equal(15, reader.Consumed);
        Assert.True(reader.End);
    }

    [Fact]
    public void ReadNumber_NumberMarker_ReturnsValue()
    {
        var reader = new Amf0Reader(Hex("00 4024000000000000"));

        Assert.Equal(10.0, reader.ReadNumber());
        Assert.True(reader.End);
    }

    [Fact]
    public void ReadNumber_StringMarker_ThrowsUnexpectedTypeWithoutConsuming()
    {
        var bytes = Hex("02 0001 61");

        var ex = Assert.Throws<AmfFormatException>(() => new Amf0Reader(bytes).ReadNumber());

        Assert.Equal(AmfFormatError.UnexpectedType, ex.Reason);
        Assert.Equal(0, ex.Offset);
    }

    [Fact]
    public void ReadString_LongStringMarker_ReturnsValue()
    {
        var reader = new Amf0Reader(Hex("0c 00000002 6869"));

        Assert.Equal("hi", reader.ReadString());
        Assert.True(reader.End);
    }

    [Fact]
    public void ReadString_NullMarker_ThrowsUnexpectedType()
    {
        var ex = Assert.Throws<AmfFormatException>(() => new Amf0Reader(Hex("05")).ReadString());

        Assert.Equal(AmfFormatError.UnexpectedType, ex.Reason);
    }

    [Fact]
    public void ReadBoolean_BooleanMarker_ReturnsValue()
    {
        var reader = new Amf0Reader(Hex("01 00 01 01"));

        Assert.False(reader.ReadBoolean());
        Assert.True(reader.ReadBoolean());
    }

    [Fact]
    public void ReadObject_EcmaArray_ReturnsFlaggedObject()
    {
        var reader = new Amf0Reader(Hex("08 00000001 0001 61 05 000009"));

        var obj = reader.ReadObject();

        Assert.True(obj.IsEcmaArray);
        Assert.True(obj.ContainsKey("a"));
    }

    [Fact]
    public void ReadObject_Null_ThrowsUnexpectedType()
    {
        var ex = Assert.Throws<AmfFormatException>(() => new Amf0Reader(Hex("05")).ReadObject());

        Assert.Equal(AmfFormatError.UnexpectedType, ex.Reason);
    }
}
