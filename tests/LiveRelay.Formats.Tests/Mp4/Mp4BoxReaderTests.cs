using LiveRelay.Formats.Mp4;
using static LiveRelay.Formats.Tests.Mp4.Fmp4TestFile;

namespace LiveRelay.Formats.Tests.Mp4;

public sealed class Mp4BoxReaderTests
{
    [Fact]
    public void TryRead_CompactHeader_TypeSizeAndEightByteHeader()
    {
        Assert.True(Mp4BoxHeader.TryRead(Convert.FromHexString("000000186d6f6f66"), out var header));
        Assert.Equal(new Mp4BoxHeader(Mp4BoxType.Moof, 8, 0x18), header);
        Assert.False(header.ExtendsToEnd);
    }

    [Fact]
    public void TryRead_LargeSizeAndUuid_HeaderGrowsBy8And16()
    {
        Assert.True(Mp4BoxHeader.TryRead(Convert.FromHexString("000000016d646174000000010000002a"), out var large));
        Assert.Equal(new Mp4BoxHeader(Mp4BoxType.Mdat, 16, 0x10000002A), large);

        var uuid = Concat(U32(40), "uuid"u8.ToArray(), Zeros(16));
        Assert.True(Mp4BoxHeader.TryRead(uuid, out var user));
        Assert.Equal(new Mp4BoxHeader(Mp4BoxType.Uuid, 24, 40), user);
    }

    [Fact]
    public void TryRead_EveryTruncatedPrefix_ReturnsFalse()
    {
        byte[][] headers = [Convert.FromHexString("000000186d6f6f66"), Convert.FromHexString("000000016d646174000000010000002a"), Concat(U32(40), "uuid"u8.ToArray(), Zeros(16))];
        foreach (var header in headers)
        {
            for (var length = 0; length < header.Length; length++)
            {
                Assert.False(Mp4BoxHeader.TryRead(header.AsSpan(0, length), out var partial));
                Assert.Equal(default, partial);
            }
        }
    }

    [Fact]
    public void TryReadNext_BoxesBackToBack_OffsetsBodiesAndEnd()
    {
        var data = Concat(Box("free", [1, 2, 3]), Box("moov", Box("trak")), Zeros(4)); // trailing zeros: a terminator
        var reader = new Mp4BoxReader(data);

        Assert.True(reader.TryReadNext(out var free));
        Assert.Equal(("free", 0, 8, "010203"), (free.Name, free.Offset, free.HeaderLength, Convert.ToHexString(free.Body)));
        Assert.True(reader.TryReadNext(out var moov));
        Assert.Equal(("moov", 11, 8), (moov.Name, moov.Offset, moov.Body.Length));
        var children = moov.Children();
        Assert.True(children.TryReadNext(out var trak));
        Assert.Equal(("trak", 19, 1), (trak.Name, trak.Offset, trak.Depth));
        Assert.False(children.TryReadNext(out _));
        Assert.False(reader.TryReadNext(out _));
    }

    [Fact]
    public void TryReadNext_SizeZero_RunsToTheEnd()
    {
        var data = Concat(Box("styp"), U32(0), "mdat"u8.ToArray(), [9, 9, 9]);
        var reader = new Mp4BoxReader(data);
        Assert.True(reader.TryReadNext(out _));
        Assert.True(reader.TryReadNext(out var mdat));
        Assert.Equal(("mdat", "090909"), (mdat.Name, Convert.ToHexString(mdat.Body)));
        Assert.False(reader.TryReadNext(out _));
    }

    [Fact]
    public void TryReadNext_LargeSize_BodyAfterSixteenByteHeader()
    {
        var data = Concat(U32(1), "mdat"u8.ToArray(), U64(19), [7, 7, 7]);
        var reader = new Mp4BoxReader(data);
        Assert.True(reader.TryReadNext(out var mdat));
        Assert.Equal((16, "070707"), (mdat.HeaderLength, Convert.ToHexString(mdat.Body)));
    }

    [Theory]
    [InlineData("0000000b6d6f6f660000", Mp4FormatError.BoxTruncated)]                  // 11 declared, 10 given
    [InlineData("ffffffff6d6f6f66", Mp4FormatError.BoxTruncated)]                      // 4 GiB declared
    [InlineData("000000016d646174ffffffffffffffff", Mp4FormatError.BoxTruncated)]      // largesize past any buffer
    [InlineData("000000016d6461740000000000000000", Mp4FormatError.InvalidBoxSize)]    // largesize 0
    [InlineData("000000016d646174000000000000000f", Mp4FormatError.InvalidBoxSize)]    // largesize under its 16-byte header
    [InlineData("000000076d6f6f66", Mp4FormatError.InvalidBoxSize)]                    // size under the 8-byte header
    [InlineData("000000106d6f6f66", Mp4FormatError.BoxTruncated)]                      // 16 declared, 8 given
    [InlineData("0000001c", Mp4FormatError.BoxTruncated)]                              // a header cut short
    public void TryReadNext_SizeThatDoesNotFit_ThrowsWithReason(string hex, Mp4FormatError reason)
    {
        var data = Convert.FromHexString(hex);
        var error = Assert.Throws<Mp4FormatException>(() =>
        {
            var reader = new Mp4BoxReader(data);
            reader.TryReadNext(out _);
        });
        Assert.Equal(reason, error.Reason);
    }

    [Fact]
    public void Children_FullBoxFieldsSkipped_OffsetsStayAbsolute()
    {
        var stsd = FullBox("stsd", 0, 0, U32(1), Box("avc1", [1]));
        var reader = new Mp4BoxReader(Concat(Box("free"), stsd));
        reader.TryReadNext(out _);
        reader.TryReadNext(out var box);
        var entries = box.Children(8);
        Assert.True(entries.TryReadNext(out var entry));
        Assert.Equal(("avc1", 8 + 16), (entry.Name, entry.Offset));
        Assert.Equal(Mp4FormatError.BoxTooShort, Assert.Throws<Mp4FormatException>(() => { Children(stsd, 100); }).Reason);
    }

    [Fact]
    public void Children_DepthBomb_ThrowsNestingTooDeepAtLevelSixteen()
    {
        // 100,000 boxes, each the only child of the one before: a walk that descends into everything stops at the limit.
        var bomb = DepthBomb("moov", 100_000);

        var deepest = -1;
        var error = Assert.Throws<Mp4FormatException>(() => Walk(new Mp4BoxReader(bomb), ref deepest));
        Assert.Equal(Mp4FormatError.NestingTooDeep, error.Reason);
        Assert.Equal(Mp4BoxReader.MaxDepth - 1, deepest);
    }

    private static void Walk(Mp4BoxReader reader, ref int deepest)
    {
        while (reader.TryReadNext(out var box))
        {
            deepest = Math.Max(deepest, box.Depth);
            Walk(box.Children(), ref deepest);
        }
    }

    private static Mp4BoxReader Children(byte[] data, int skip)
    {
        var reader = new Mp4BoxReader(data);
        reader.TryReadNext(out var box);
        return box.Children(skip);
    }

    /// <summary><paramref name="levels"/> boxes of <paramref name="type"/>, each the only child of the one before.</summary>
    internal static byte[] DepthBomb(string type, int levels)
    {
        var bomb = new byte[8 * levels];
        for (var i = 0; i < levels; i++)
        {
            U32((uint)(bomb.Length - 8 * i)).CopyTo(bomb, 8 * i);
            System.Text.Encoding.ASCII.GetBytes(type).CopyTo(bomb, 8 * i + 4);
        }

        return bomb;
    }
}
