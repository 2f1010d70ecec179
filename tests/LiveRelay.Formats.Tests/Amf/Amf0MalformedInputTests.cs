using LiveRelay.Formats.Amf;
using static LiveRelay.Formats.Tests.Amf.AmfTestBytes;

namespace LiveRelay.Formats.Tests.Amf;

public class Amf0MalformedInputTests
{
    private static readonly AmfObject s_everyType = new()
    {
        { "number", 1.5 },
        { "bool", true },
        { "string", "abc" },
        { "null", null },
        { "undefined", AmfUndefined.Value },
        { "ecma", new AmfObject(isEcmaArray: true) { { "k", "v" } } },
        { "array", new List<object?> { 2.0, "s", new AmfObject { { "deep", false } } } },
        { "date", DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000) },
        { "long", new string('x', 65_600) },
    };

    [Fact]
    public void ReadValue_EveryTruncatedPrefix_ThrowsAmfFormatException()
    {
        var bytes = Encode(s_everyType);

        for (var length = 0; length < bytes.Length; length++)
        {
            var prefix = bytes[..length];
            var ex = Assert.Throws<AmfFormatException>(() => new Amf0Reader(prefix).ReadValue());
            Assert.InRange(ex.Offset, 0, length);
        }

        AssertAmfEqual(s_everyType, Decode(bytes));
    }

    [Fact]
    public void ReadValue_EmptyInput_ThrowsTruncated()
    {
        var ex = Assert.Throws<AmfFormatException>(() => new Amf0Reader([]).ReadValue());

        Assert.Equal(AmfFormatError.Truncated, ex.Reason);
    }

    [Theory]
    [InlineData("02 0010 6162", 3)]                 // string claims 16 bytes, 2 follow
    [InlineData("0c ffffffff 61", 5)]               // long string claims 4 GiB
    [InlineData("03 0010 61", 3)]                   // property name claims 16 bytes
    [InlineData("0a 00000001 02 ffff 00", 8)]       // string inside an array
    public void ReadValue_LengthPastEnd_ThrowsLengthExceedsInput(string hex, int offset)
    {
        var bytes = Hex(hex);

        var ex = Assert.Throws<AmfFormatException>(() => new Amf0Reader(bytes).ReadValue());

        Assert.Equal(AmfFormatError.LengthExceedsInput, ex.Reason);
        Assert.Equal(offset, ex.Offset);
    }

    [Theory]
    [InlineData("03 0001 61 05")]                   // ends after a property
    [InlineData("03 0001 61 05 0000")]              // empty name, no 0x09
    [InlineData("03 0001 61 05 0000 05")]           // empty name followed by another marker
    [InlineData("08 00000001 0001 61 05")]          // ECMA array without its end
    [InlineData("03 00")]                           // half a name length
    public void ReadValue_ObjectWithoutEndMarker_ThrowsMissingObjectEnd(string hex)
    {
        var bytes = Hex(hex);

        var ex = Assert.Throws<AmfFormatException>(() => new Amf0Reader(bytes).ReadValue());

        Assert.Equal(AmfFormatError.MissingObjectEnd, ex.Reason);
    }

    [Fact]
    public void ReadValue_33NestedObjects_ThrowsTooDeep()
    {
        var bytes = NestedObjects(33);

        var ex = Assert.Throws<AmfFormatException>(() => new Amf0Reader(bytes).ReadValue());

        Assert.Equal(AmfFormatError.TooDeep, ex.Reason);
    }

    [Fact]
    public void ReadValue_32NestedObjects_Reads()
    {
        var value = Decode(NestedObjects(32));

        var depth = 0;
        while (value is AmfObject obj)
        {
            depth++;
            value = obj["c"];
        }

        Assert.Equal(32, depth);
    }

    [Fact]
    public void ReadValue_33NestedStrictArrays_ThrowsTooDeep()
    {
        var bytes = Hex(string.Concat(Enumerable.Repeat("0a 00000001 ", 33)) + "05");

        var ex = Assert.Throws<AmfFormatException>(() => new Amf0Reader(bytes).ReadValue());

        Assert.Equal(AmfFormatError.TooDeep, ex.Reason);
    }

    [Fact]
    public void ReadValue_DeeplyNestedBomb_ThrowsTooDeepNotStackOverflow()
    {
        var bytes = Hex(string.Concat(Enumerable.Repeat("08 00000000 0001 63 ", 100_000)));

        var ex = Assert.Throws<AmfFormatException>(() => new Amf0Reader(bytes).ReadValue());

        Assert.Equal(AmfFormatError.TooDeep, ex.Reason);
    }

    [Fact]
    public void ReadValue_StrictArrayDeclaring2Pow31Elements_ThrowsQuicklyWithoutAllocating()
    {
        var bytes = Hex("0a 80000000 05 05 05 05 05"); // 10 bytes

        _ = Assert.Throws<AmfFormatException>(() => new Amf0Reader(bytes).ReadValue()); // warm up the throw path
        var before = GC.GetAllocatedBytesForCurrentThread();
        AmfFormatException? caught = null;
        try
        {
            new Amf0Reader(bytes).ReadValue();
        }
        catch (AmfFormatException ex)
        {
            caught = ex;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.NotNull(caught);
        Assert.Equal(AmfFormatError.TooManyElements, caught.Reason);
        Assert.InRange(allocated, 0, 64 * 1024);
    }

    [Fact]
    public void ReadValue_StrictArrayCountAboveRemainingBytes_ThrowsTooManyElements()
    {
        var ex = Assert.Throws<AmfFormatException>(() => new Amf0Reader(Hex("0a 00000003 05 05")).ReadValue());

        Assert.Equal(AmfFormatError.TooManyElements, ex.Reason);
    }

    [Theory]
    [InlineData("12")]
    [InlineData("20")]
    [InlineData("ff")]
    public void ReadValue_MarkerOutsideAmf0_ThrowsUnknownMarker(string hex)
    {
        var ex = Assert.Throws<AmfFormatException>(() => new Amf0Reader(Hex(hex)).ReadValue());

        Assert.Equal(AmfFormatError.UnknownMarker, ex.Reason);
    }

    [Theory]
    [InlineData("07 0000")]                          // reference
    [InlineData("04")]                               // movie clip
    [InlineData("0d")]                               // unsupported
    [InlineData("0e")]                               // record set
    [InlineData("10 0003 466f6f 000009")]            // typed object "Foo"
    public void ReadValue_UnsupportedMarker_ThrowsUnsupportedMarker(string hex)
    {
        var ex = Assert.Throws<AmfFormatException>(() => new Amf0Reader(Hex(hex)).ReadValue());

        Assert.Equal(AmfFormatError.UnsupportedMarker, ex.Reason);
    }

    [Fact]
    public void ReadValue_AvmPlusMarker_ThrowsWithClearMessage()
    {
        // connect's command object sent in AMF 3: 0x11 then an AMF 3 object marker 0x0a.
        var bytes = Hex("02 0007 636f6e6e656374  00 3ff0000000000000  11 0a 0b 01");
        var reader = new Amf0Reader(bytes);
        reader.ReadValue();
        reader.ReadValue();
        var offset = reader.Consumed;

        AmfFormatException? caught = null;
        try
        {
            reader.ReadValue();
        }
        catch (AmfFormatException ex)
        {
            caught = ex;
        }

        Assert.NotNull(caught);
        Assert.Equal(AmfFormatError.AvmPlusNotSupported, caught.Reason);
        Assert.Equal(offset, caught.Offset);
        Assert.Contains("AMF 3", caught.Message);
    }

    [Fact]
    public void ReadValue_BareObjectEndMarker_ThrowsUnexpectedObjectEnd()
    {
        var ex = Assert.Throws<AmfFormatException>(() => new Amf0Reader(Hex("09")).ReadValue());

        Assert.Equal(AmfFormatError.UnexpectedObjectEnd, ex.Reason);
    }

    [Theory]
    [InlineData("0b 7ff8000000000000 0000")]         // NaN
    [InlineData("0b 7ff0000000000000 0000")]         // +infinity
    [InlineData("0b 7fefffffffffffff 0000")]         // double.MaxValue ms
    public void ReadValue_DateOutOfRange_ThrowsInvalidDate(string hex)
    {
        var ex = Assert.Throws<AmfFormatException>(() => new Amf0Reader(Hex(hex)).ReadValue());

        Assert.Equal(AmfFormatError.InvalidDate, ex.Reason);
    }

    [Fact]
    public void ReadValue_RandomCorruption_OnlyEverThrowsAmfFormatException()
    {
        var valid = Encode(new List<object?> { "connect", 1.0, s_everyType });
        var random = new Random(20240601);

        for (var i = 0; i < 3000; i++)
        {
            var corrupt = (byte[])valid.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                corrupt[random.Next(corrupt.Length)] = (byte)random.Next(256);
            }

            var length = random.Next(corrupt.Length + 1);
            var exception = Record.Exception(() => new Amf0Reader(corrupt.AsSpan(0, length)).ReadValue());
            if (exception is not null)
            {
                Assert.IsType<AmfFormatException>(exception);
            }
        }
    }

    private static byte[] NestedObjects(int depth)
    {
        // {c: {c: ... {} ...}}: each level but the last opens with "c", and every level closes.
        var open = string.Concat(Enumerable.Repeat("03 0001 63 ", depth - 1)) + "03 ";
        var close = string.Concat(Enumerable.Repeat("0000 09 ", depth));
        return Hex(open + close);
    }
}
