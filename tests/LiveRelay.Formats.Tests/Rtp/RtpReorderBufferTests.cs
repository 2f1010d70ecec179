using LiveRelay.Formats.Rtp;

namespace LiveRelay.Formats.Tests.Rtp;

public sealed class RtpReorderBufferTests
{
    private const long Hold = 100;

    /// <summary>An RTP packet with the sequence number, and the sequence's bytes again as the payload.</summary>
    private static byte[] Packet(ushort sequence) =>
        [0x80, 0x60, (byte)(sequence >> 8), (byte)sequence, 0, 0, 0, 0, 0xDE, 0xAD, 0xBE, 0xEF, (byte)(sequence >> 8), (byte)sequence];

    /// <summary>Pops until nothing is ready; the sequence numbers released, checking each packet's bytes.</summary>
    private static List<int> Drain(RtpReorderBuffer buffer, long now)
    {
        List<int> released = [];
        while (buffer.TryPop(now, out var packet))
        {
            var sequence = (ushort)((packet[2] << 8) | packet[3]);
            Assert.Equal(Packet(sequence), packet.ToArray());
            released.Add(sequence);
        }

        return released;
    }

    private static List<int> PushAndDrain(RtpReorderBuffer buffer, long now, params ushort[] sequences)
    {
        List<int> released = [];
        foreach (var sequence in sequences)
        {
            Assert.Equal(RtpReorderResult.Buffered, buffer.Push(Packet(sequence), now));
            released.AddRange(Drain(buffer, now));
        }

        return released;
    }

    [Fact]
    public void TryPop_InOrder_ReleasesEachPacketAtOnce()
    {
        using var buffer = new RtpReorderBuffer(Hold);

        var released = PushAndDrain(buffer, 0, 10, 11, 12);

        Assert.Equal([10, 11, 12], released);
        Assert.Equal((0L, 0L, 0L, 0L), (buffer.Lost, buffer.Duplicates, buffer.Late, buffer.Reordered));
        Assert.Equal(0, buffer.Count);
    }

    [Fact]
    public void TryPop_SwappedPair_ReleasesThemInOrder()
    {
        using var buffer = new RtpReorderBuffer(Hold);

        var released = PushAndDrain(buffer, 0, 1, 3, 2, 4);

        Assert.Equal([1, 2, 3, 4], released);
        Assert.Equal(1, buffer.Reordered);
        Assert.Equal(0, buffer.Lost);
    }

    [Fact]
    public void TryPop_AcrossTheSequenceWrap_ReleasesInOrder()
    {
        using var buffer = new RtpReorderBuffer(Hold);

        var released = PushAndDrain(buffer, 0, 65534, 0, 65535, 1);

        Assert.Equal([65534, 65535, 0, 1], released);
        Assert.Equal(1, buffer.Reordered);
    }

    [Fact]
    public void TryPop_GapOlderThanTheHold_SkipsItAndCountsItLost()
    {
        using var buffer = new RtpReorderBuffer(Hold);
        PushAndDrain(buffer, 0, 1);

        buffer.Push(Packet(4), 10); // 2 and 3 are missing
        buffer.Push(Packet(5), 20);
        var beforeHold = Drain(buffer, 10 + Hold - 1);
        var afterHold = Drain(buffer, 10 + Hold);

        Assert.Empty(beforeHold);
        Assert.Equal([4, 5], afterHold);
        Assert.Equal(2, buffer.Lost);
    }

    [Fact]
    public void TryPop_GapFilledBeforeTheHold_LosesNothing()
    {
        using var buffer = new RtpReorderBuffer(Hold);
        PushAndDrain(buffer, 0, 1);

        buffer.Push(Packet(3), 10);
        var waiting = Drain(buffer, 50);
        buffer.Push(Packet(2), 60);
        var released = Drain(buffer, 60);

        Assert.Empty(waiting);
        Assert.Equal([2, 3], released);
        Assert.Equal(0, buffer.Lost);
    }

    [Fact]
    public void Push_Duplicate_IsDroppedAndCounted_WhetherHeldOrReleased()
    {
        using var buffer = new RtpReorderBuffer(Hold);
        buffer.Push(Packet(1), 0);
        buffer.Push(Packet(3), 0);

        var heldAgain = buffer.Push(Packet(3), 0);
        var released = Drain(buffer, Hold);
        var releasedAgain = buffer.Push(Packet(1), Hold);

        Assert.Equal(RtpReorderResult.Duplicate, heldAgain);
        Assert.Equal(RtpReorderResult.Duplicate, releasedAgain);
        Assert.Equal([1, 3], released);
        Assert.Equal(2, buffer.Duplicates);
    }

    [Fact]
    public void Push_AfterItsGapWasSkipped_IsDroppedAsLate()
    {
        using var buffer = new RtpReorderBuffer(Hold);
        PushAndDrain(buffer, 0, 1);
        buffer.Push(Packet(3), 0);
        Drain(buffer, Hold);

        var result = buffer.Push(Packet(2), Hold);

        Assert.Equal(RtpReorderResult.Late, result);
        Assert.Equal(1, buffer.Late);
        Assert.Equal(1, buffer.Lost);
        Assert.Empty(Drain(buffer, 2 * Hold));
    }

    [Fact]
    public void Push_PastTheCapacity_ForcesTheGapOutAtOnce()
    {
        using var buffer = new RtpReorderBuffer(Hold, capacity: 4);
        PushAndDrain(buffer, 0, 1);

        foreach (ushort sequence in new ushort[] { 3, 4, 5 })
        {
            buffer.Push(Packet(sequence), 0); // 2 is missing
        }

        var beforeOverflow = Drain(buffer, 0);
        var overflowing = buffer.Push(Packet(6), 0); // 4 ahead of 2 with 4 slots
        var afterOverflow = Drain(buffer, 0);

        Assert.Empty(beforeOverflow);
        Assert.Equal(RtpReorderResult.Buffered, overflowing);
        Assert.Equal([3, 4, 5, 6], afterOverflow);
        Assert.Equal(1, buffer.Lost);
    }

    [Fact]
    public void Push_PastTheCapacityTwiceWithoutDraining_RejectsTheSecond()
    {
        using var buffer = new RtpReorderBuffer(Hold, capacity: 4);
        PushAndDrain(buffer, 0, 1);
        buffer.Push(Packet(3), 0);

        var first = buffer.Push(Packet(9), 0);
        var second = buffer.Push(Packet(10), 0);
        var forced = Drain(buffer, 0);
        var lostByForce = buffer.Lost;
        var afterHold = Drain(buffer, Hold);

        Assert.Equal(RtpReorderResult.Buffered, first);
        Assert.Equal(RtpReorderResult.Overflow, second);
        Assert.Equal(1, buffer.Rejected);

        // Forced out: only what keeps 9 within 4 slots (2, 4, 5); 6 to 8 get the usual hold.
        Assert.Equal([3], forced);
        Assert.Equal(3, lostByForce);
        Assert.Equal([9], afterHold);
        Assert.Equal(6, buffer.Lost);
    }

    [Fact]
    public void Push_SequenceRestart_IsTakenWhenTheNextPacketFollowsTheJump()
    {
        using var buffer = new RtpReorderBuffer(Hold);
        PushAndDrain(buffer, 0, 100, 101);

        var jump = buffer.Push(Packet(40000), 0);
        var follows = buffer.Push(Packet(40001), 0);
        var released = Drain(buffer, 0);
        var after = PushAndDrain(buffer, 0, 40002, 40003);

        Assert.Equal(RtpReorderResult.Late, jump);
        Assert.Equal(RtpReorderResult.Buffered, follows);
        Assert.Equal([40001], released);
        Assert.Equal([40002, 40003], after);
        Assert.Equal(1, buffer.Restarts);
        Assert.Equal(0, buffer.Lost);
    }

    [Fact]
    public void Push_SequenceRestartWithOldPacketsHeld_ReleasesThemFirst()
    {
        using var buffer = new RtpReorderBuffer(Hold);
        PushAndDrain(buffer, 0, 100);
        buffer.Push(Packet(102), 0); // 101 is missing

        buffer.Push(Packet(30000), 0);
        buffer.Push(Packet(30001), 0);
        var released = Drain(buffer, 0);

        Assert.Equal([102, 30001], released);
        Assert.Equal(1, buffer.Lost);
        Assert.Equal(1, buffer.Restarts);
    }

    [Fact]
    public void Push_TruncatedHeader_IsInvalid()
    {
        using var buffer = new RtpReorderBuffer(Hold);
        var packet = Packet(1);

        for (var length = 0; length < 12; length++)
        {
            Assert.Equal(RtpReorderResult.Invalid, buffer.Push(packet.AsSpan(0, length), 0));
        }

        Assert.Equal(RtpReorderResult.Invalid, buffer.Push(new byte[100], 0)); // version 0
        Assert.Equal(13, buffer.Rejected);
        Assert.False(buffer.TryPop(0, out _));
    }

    [Fact]
    public void Push_LongerThanTheLimit_IsInvalid()
    {
        using var buffer = new RtpReorderBuffer(Hold, maxPacketLength: 13);

        Assert.Equal(RtpReorderResult.Invalid, buffer.Push(Packet(1), 0));
        Assert.Equal(RtpReorderResult.Buffered, buffer.Push(Packet(1).AsSpan(0, 13), 0));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(RtpReorderBuffer.MaxCapacity + 1)]
    public void Constructor_CapacityOutOfRange_Throws(int capacity)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RtpReorderBuffer(Hold, capacity));
    }

    [Fact]
    public void Dispose_ThenPush_Throws()
    {
        var buffer = new RtpReorderBuffer(Hold);
        buffer.Push(Packet(1), 0);
        buffer.Push(Packet(3), 0);

        buffer.Dispose();

        Assert.Throws<ObjectDisposedException>(() => buffer.Push(Packet(4), 0));
    }
}
