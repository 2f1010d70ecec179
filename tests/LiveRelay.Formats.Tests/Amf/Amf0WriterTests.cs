using LiveRelay.Formats.Amf;
using static LiveRelay.Formats.Tests.Amf.AmfTestBytes;

namespace LiveRelay.Formats.Tests.Amf;

public class Amf0WriterTests
{
    [Theory]
    [InlineData(1.0, "00 3ff0000000000000")]
    [InlineData(1.5, "00 3ff8000000000000")]
    [InlineData(-2.0, "00 c000000000000000")]
    [InlineData(0.0, "00 0000000000000000")]
    [InlineData(1280.0, "00 4094000000000000")]
    public void WriteNumber_Value_WritesMarkerAndBigEndianDouble(double value, string expected)
    {
        Assert.Equal(Hex(expected), Write(o => Amf0Writer.WriteNumber(o, value)));
    }

    [Fact]
    public void WriteBoolean_TrueAndFalse_WritesOneAndZero()
    {
        Assert.Equal(Hex("01 01"), Write(o => Amf0Writer.WriteBoolean(o, true)));
        Assert.Equal(Hex("01 00"), Write(o => Amf0Writer.WriteBoolean(o, false)));
    }

    [Theory]
    [InlineData("abc", "02 0003 616263")]
    [InlineData("", "02 0000")]
    [InlineData("串联单", "02 0009 e4b8b2 e88194 e58d95")]
    public void WriteString_ShortString_WritesU16LengthAndUtf8(string value, string expected)
    {
        Assert.Equal(Hex(expected), Write(o => Amf0Writer.WriteString(o, value)));
    }

    [Fact]
    public void WriteString_Exactly65535Bytes_UsesShortForm()
    {
        var bytes = Write(o => Amf0Writer.WriteString(o, new string('x', 65535)));

        Assert.Equal(3 + 65535, bytes.Length);
        Assert.Equal(Hex("02 ffff"), bytes[..3]);
    }

    [Fact]
    public void WriteString_Over65535Bytes_UsesLongString()
    {
        var bytes = Write(o => Amf0Writer.WriteString(o, new string('x', 65536)));

        Assert.Equal(5 + 65536, bytes.Length);
        Assert.Equal(Hex("0c 00010000"), bytes[..5]);
        Assert.All(bytes[5..], b => Assert.Equal((byte)'x', b));
    }

    [Fact]
    public void WriteString_MultiByteCharactersOverLimit_CountsUtf8Bytes()
    {
        // 21,846 three-byte characters = 65,538 UTF-8 bytes, though only 21,846 UTF-16 chars.
        var bytes = Write(o => Amf0Writer.WriteString(o, new string('串', 21846)));

        Assert.Equal(Hex("0c 00010002"), bytes[..5]);
    }

    [Fact]
    public void WriteNullAndUndefined_WriteTheirMarkers()
    {
        Assert.Equal(Hex("05"), Write(Amf0Writer.WriteNull));
        Assert.Equal(Hex("06"), Write(Amf0Writer.WriteUndefined));
        Assert.Equal(Hex("05"), Encode(null));
        Assert.Equal(Hex("06"), Encode(AmfUndefined.Value));
    }

    [Fact]
    public void WriteObject_Empty_WritesMarkerAndEnd()
    {
        Assert.Equal(Hex("03 0000 09"), Write(o => Amf0Writer.WriteObject(o, new AmfObject())));
    }

    [Fact]
    public void WriteObject_TwoProperties_WritesNamesValuesAndEnd()
    {
        var obj = new AmfObject { { "a", 1.0 }, { "b", null } };

        var expected = Hex("03  0001 61 00 3ff0000000000000  0001 62 05  0000 09");
        Assert.Equal(expected, Write(o => Amf0Writer.WriteObject(o, obj)));
    }

    [Fact]
    public void WriteObject_EcmaFlag_StillWritesObjectMarker()
    {
        var obj = new AmfObject(isEcmaArray: true) { { "a", true } };

        Assert.Equal(Hex("03 0001 61 0101 000009"), Write(o => Amf0Writer.WriteObject(o, obj)));
    }

    [Fact]
    public void WriteEcmaArray_TwoProperties_WritesCountPropertiesAndEnd()
    {
        var obj = new AmfObject { { "width", 1280 }, { "stereo", true } };

        var expected = Hex("08 00000002  0005 7769647468 00 4094000000000000  0006 73746572656f 01 01  0000 09");
        Assert.Equal(expected, Write(o => Amf0Writer.WriteEcmaArray(o, obj)));
    }

    [Fact]
    public void WriteValue_AmfObjectWithEcmaFlag_WritesEcmaArray()
    {
        Assert.Equal(Hex("08 00000000 000009"), Encode(new AmfObject(isEcmaArray: true)));
        Assert.Equal(Hex("03 000009"), Encode(new AmfObject()));
    }

    [Fact]
    public void WriteStrictArray_MixedItems_WritesCountAndValues()
    {
        var expected = Hex("0a 00000003  00 3ff0000000000000  02 0001 78  05");

        Assert.Equal(expected, Write(o => Amf0Writer.WriteStrictArray(o, new object?[] { 1.0, "x", null })));
        Assert.Equal(expected, Encode(new List<object?> { 1.0, "x", null }));
    }

    [Fact]
    public void WriteStrictArray_LazyEnumerable_CountsItems()
    {
        var items = Enumerable.Range(0, 3).Select(i => (object?)(i == 1 ? "x" : null));

        Assert.Equal(Hex("0a 00000003 05 02000178 05"), Write(o => Amf0Writer.WriteStrictArray(o, items)));
    }

    [Fact]
    public void WriteValue_ListOfStrings_WritesStrictArray()
    {
        // The Enhanced RTMP fourCcList in a connect command.
        var fourCcList = new List<string> { "hvc1", "av01" };

        Assert.Equal(Hex("0a 00000002 02 0004 68766331 02 0004 61763031"), Encode(fourCcList));
    }

    [Fact]
    public void WriteDate_UnixMilliseconds_WritesDoubleAndZeroTimeZone()
    {
        var date = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);

        Assert.Equal(Hex("0b 4278bcfe56800000 0000"), Write(o => Amf0Writer.WriteDate(o, date)));
        Assert.Equal(Hex("0b 4278bcfe56800000 0000"), Encode(date));
    }

    [Fact]
    public void WriteDate_LocalOffset_WritesTheSameInstantInUtc()
    {
        var date = new DateTimeOffset(2023, 11, 15, 6, 13, 20, TimeSpan.FromHours(8)); // 1,700,000,000 s

        Assert.Equal(Hex("0b 4278bcfe56800000 0000"), Encode(date));
    }

    public static TheoryData<object> SevenInEveryNumericType => new()
    {
        7.0, 7f, 7, 7L, (short)7, (ushort)7, (byte)7, (sbyte)7, 7u, 7ul,
    };

    [Theory]
    [MemberData(nameof(SevenInEveryNumericType))]
    public void WriteValue_NumericType_WritesNumber(object value)
    {
        Assert.Equal(Hex("00 401c000000000000"), Encode(value));
    }

    [Fact]
    public void WriteValue_Boolean_WritesBoolean()
    {
        Assert.Equal(Hex("01 01"), Encode(true));
    }

    [Fact]
    public void WriteValue_String_WritesString()
    {
        Assert.Equal(Hex("02 0002 6869"), Encode("hi"));
    }

    [Fact]
    public void WriteValue_UnsupportedType_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => Encode(Guid.Empty));
        Assert.Throws<ArgumentException>(() => Encode(new[] { 1, 2 })); // int[] is not IEnumerable<object?>
        Assert.Throws<ArgumentException>(() => Encode(new AmfObject { { "bad", TimeSpan.Zero } }));
    }

    [Fact]
    public void WriteValue_ListContainingItself_ThrowsArgumentException()
    {
        var list = new List<object?>();
        list.Add(list);

        Assert.Throws<ArgumentException>(() => Encode(list));
    }

    [Fact]
    public void WriteObject_NestedDeeperThanMaxDepth_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => Encode(Nest(Amf0Reader.MaxDepth + 1)));
    }

    [Fact]
    public void WriteObject_NestedExactlyMaxDepth_ReadsBack()
    {
        var nested = Nest(Amf0Reader.MaxDepth);

        AssertAmfEqual(nested, Decode(Encode(nested)));
    }

    [Fact]
    public void WriteObject_EmptyName_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => Encode(new AmfObject { { "", 1.0 } }));
    }

    [Fact]
    public void WriteObject_NameOver65535Bytes_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => Encode(new AmfObject { { new string('n', 65536), 1.0 } }));
    }

    private static AmfObject Nest(int depth)
    {
        var root = new AmfObject();
        var current = root;
        for (var i = 1; i < depth; i++)
        {
            var child = new AmfObject();
            current.Add("c", child);
            current = child;
        }

        return root;
    }
}
