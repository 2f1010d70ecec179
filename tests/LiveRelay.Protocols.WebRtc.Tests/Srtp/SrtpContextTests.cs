using System.Buffers.Binary;
using LiveRelay.Protocols.WebRtc.Srtp;
using static LiveRelay.Protocols.WebRtc.Tests.Srtp.SrtpTestPackets;

namespace LiveRelay.Protocols.WebRtc.Tests.Srtp;

public sealed class SrtpContextTests
{
    public static TheoryData<SrtpProfile> Profiles => [SrtpProfile.Aes128CmHmacSha1_80, SrtpProfile.AeadAes128Gcm];

    [Theory]
    [InlineData(SrtpProfile.Aes128CmHmacSha1_80, 160, 10)]
    [InlineData(SrtpProfile.Aes128CmHmacSha1_80, 1200, 10)]
    [InlineData(SrtpProfile.AeadAes128Gcm, 160, 16)]
    [InlineData(SrtpProfile.AeadAes128Gcm, 1200, 16)]
    public void TryUnprotectRtp_WhatTryProtectRtpMade_GivesTheOriginalPacket(SrtpProfile profile, int payloadLength, int tag)
    {
        using var sender = Context(profile);
        using var receiver = Context(profile);
        var rtp = Rtp(4242, payloadLength: payloadLength);
        var length = 12 + payloadLength;

        var srtp = Protect(sender, rtp, length);

        Assert.Equal(length + tag, srtp.Length);
        Assert.Equal(tag, sender.RtpOverhead);
        Assert.Equal(rtp[..12], srtp[..12]);
        Assert.NotEqual(rtp[12..length], srtp[12..length]);
        Assert.True(receiver.TryUnprotectRtp(srtp, out var plainLength, out var error));
        Assert.Equal(SrtpError.None, error);
        Assert.Equal(rtp[..length], srtp[..plainLength]);
    }

    [Theory]
    [InlineData(SrtpProfile.Aes128CmHmacSha1_80, 14)]
    [InlineData(SrtpProfile.AeadAes128Gcm, 20)]
    public void TryUnprotectRtcp_WhatTryProtectRtcpMade_GivesTheOriginalPacket(SrtpProfile profile, int overhead)
    {
        using var sender = Context(profile);
        using var receiver = Context(profile);
        var rtcp = Rtcp();

        var first = ProtectRtcp(sender, rtcp, RtcpLength);
        var second = ProtectRtcp(sender, rtcp, RtcpLength);

        Assert.Equal(RtcpLength + overhead, first.Length);
        Assert.Equal(overhead, sender.RtcpOverhead);
        Assert.Equal(rtcp[..8], first[..8]);
        Assert.NotEqual(first[8..RtcpLength], second[8..RtcpLength]); // index 1, then 2: a new keystream
        Assert.True(receiver.TryUnprotectRtcp(first, out var firstLength, out _));
        Assert.True(receiver.TryUnprotectRtcp(second, out var secondLength, out _));
        Assert.Equal(rtcp[..RtcpLength], first[..firstLength]);
        Assert.Equal(rtcp[..RtcpLength], second[..secondLength]);
    }

    [Theory]
    [InlineData(SrtpProfile.Aes128CmHmacSha1_80, 1)]   // the tag
    [InlineData(SrtpProfile.Aes128CmHmacSha1_80, 20)]  // the payload
    [InlineData(SrtpProfile.Aes128CmHmacSha1_80, 120)] // the header: byte 2, the sequence number
    [InlineData(SrtpProfile.AeadAes128Gcm, 1)]
    [InlineData(SrtpProfile.AeadAes128Gcm, 20)]
    [InlineData(SrtpProfile.AeadAes128Gcm, 126)]
    public void TryUnprotectRtp_OneBitFlipped_IsAuthenticationFailedAndTakesNoSlot(SrtpProfile profile, int fromEnd)
    {
        using var sender = Context(profile);
        using var receiver = Context(profile);
        var srtp = Protect(sender, Rtp(1), 112);
        srtp[^fromEnd] ^= 0x01;

        Assert.False(receiver.TryUnprotectRtp(srtp, out _, out var error));

        Assert.Equal(SrtpError.AuthenticationFailed, error);
        Assert.Equal(0, receiver.StreamCount);
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void TryUnprotectRtcp_TamperedTag_IsAuthenticationFailed(SrtpProfile profile)
    {
        using var sender = Context(profile);
        using var receiver = Context(profile);
        var srtcp = ProtectRtcp(sender, Rtcp(), RtcpLength);
        srtcp[profile == SrtpProfile.AeadAes128Gcm ? ^5 : ^1] ^= 0x80;

        Assert.False(receiver.TryUnprotectRtcp(srtcp, out _, out var error));

        Assert.Equal(SrtpError.AuthenticationFailed, error);
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void TryUnprotectRtp_SamePacketTwice_IsReplayedTheSecondTime(SrtpProfile profile)
    {
        using var sender = Context(profile);
        using var receiver = Context(profile);
        var srtp = Protect(sender, Rtp(7), 112);
        var copy = (byte[])srtp.Clone();

        Assert.True(receiver.TryUnprotectRtp(srtp, out _, out _));
        Assert.False(receiver.TryUnprotectRtp(copy, out _, out var error));

        Assert.Equal(SrtpError.Replayed, error);
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void TryUnprotectRtcp_SamePacketTwice_IsReplayedTheSecondTime(SrtpProfile profile)
    {
        using var sender = Context(profile);
        using var receiver = Context(profile);
        var srtcp = ProtectRtcp(sender, Rtcp(), RtcpLength);
        var copy = (byte[])srtcp.Clone();

        Assert.True(receiver.TryUnprotectRtcp(srtcp, out _, out _));
        Assert.False(receiver.TryUnprotectRtcp(copy, out _, out var error));

        Assert.Equal(SrtpError.Replayed, error);
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void TryUnprotectRtp_ReorderedInsideTheWindow_IsAccepted_AndOlderThanTheWindow_IsTooOld(SrtpProfile profile)
    {
        using var sender = Context(profile);
        using var receiver = Context(profile);
        var lastInWindow = Protect(sender, Rtp(1101), 112);
        var pastTheWindow = Protect(sender, Rtp(1100), 112);
        var newest = Protect(sender, Rtp(1228), 112);

        Assert.True(receiver.TryUnprotectRtp(newest, out _, out _));
        Assert.True(receiver.TryUnprotectRtp(lastInWindow, out _, out _)); // 127 behind: the window's last slot
        Assert.False(receiver.TryUnprotectRtp(pastTheWindow, out _, out var error));

        Assert.Equal(SrtpError.TooOld, error);
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void TryProtectRtp_SequenceWraps_IncrementsTheRocAndTheReceiverFollows(SrtpProfile profile)
    {
        using var sender = Context(profile);
        using var receiver = Context(profile);
        ushort[] sequences = [65534, 65535, 0, 1];
        var packets = sequences.Select(s => Protect(sender, Rtp(s), 112)).ToArray();

        // After the wrap the sender uses ROC 1: sequence 0 with ROC 0 (a fresh sender) encrypts differently.
        using var fresh = Context(profile);
        Assert.NotEqual(Protect(fresh, Rtp(0), 112)[12..], packets[2][12..]);

        // Delivered out of order across the wrap.
        foreach (var i in new[] { 0, 2, 1, 3 })
        {
            Assert.True(receiver.TryUnprotectRtp(packets[i], out var length, out var error), $"sequence {sequences[i]}: {error}");
            Assert.Equal(Rtp(sequences[i])[..112], packets[i][..length]);
        }
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void TryUnprotectRtp_ManyWraps_KeepsDecrypting(SrtpProfile profile)
    {
        using var sender = Context(profile);
        using var receiver = Context(profile);
        var buffer = new byte[200];

        for (var n = 0; n < 3 * 65536; n += 997)
        {
            Rtp((ushort)n).AsSpan(0, 112).CopyTo(buffer);
            Assert.True(sender.TryProtectRtp(buffer, 112, out var length));
            Assert.True(receiver.TryUnprotectRtp(buffer.AsSpan(0, length), out _, out var error), $"packet {n}: {error}");
        }
    }

    [Theory]
    [InlineData(SrtpProfile.Aes128CmHmacSha1_80, 21)]
    [InlineData(SrtpProfile.AeadAes128Gcm, 27)]
    public void TryUnprotectRtp_ShorterThanHeaderAndTag_IsTooShort(SrtpProfile profile, int length)
    {
        using var receiver = Context(profile);
        var packet = Rtp(1)[..length];

        Assert.False(receiver.TryUnprotectRtp(packet, out _, out var error));

        Assert.Equal(SrtpError.TooShort, error);
    }

    [Theory]
    [InlineData("8f0f1234decafbadcafebabe 0102030405060708 0a0b0c0d0e0f10111213")] // 15 CSRCs in 8 bytes
    [InlineData("900f1234decafbadcafebabe BEDE 0009 0102030405 0a0b0c0d0e0f10111213")] // 9-word extension
    [InlineData("900f1234decafbadcafebabe BE 0a0b0c0d0e0f10111213")]               // extension header cut by the tag
    public void TryUnprotectRtp_HeaderLongerThanThePacket_IsTooShort(string hex)
    {
        using var receiver = Context(SrtpProfile.Aes128CmHmacSha1_80);

        Assert.False(receiver.TryUnprotectRtp(Hex(hex), out _, out var error));

        Assert.Equal(SrtpError.TooShort, error);
    }

    [Theory]
    [InlineData(SrtpProfile.Aes128CmHmacSha1_80, 21)]
    [InlineData(SrtpProfile.AeadAes128Gcm, 27)]
    public void TryUnprotectRtcp_ShorterThanHeaderIndexAndTag_IsTooShort(SrtpProfile profile, int length)
    {
        using var receiver = Context(profile);

        Assert.False(receiver.TryUnprotectRtcp(Rtcp()[..length], out _, out var error));

        Assert.Equal(SrtpError.TooShort, error);
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void TryProtect_NoRoomForTheTrailer_IsFalseAndLeavesTheBufferAlone(SrtpProfile profile)
    {
        using var sender = Context(profile);
        var rtp = Rtp(1)[..(112 + sender.RtpOverhead - 1)];
        var rtcp = Rtcp()[..(RtcpLength + sender.RtcpOverhead - 1)];
        var rtpBefore = (byte[])rtp.Clone();
        var rtcpBefore = (byte[])rtcp.Clone();

        Assert.False(sender.TryProtectRtp(rtp, 112, out _));
        Assert.False(sender.TryProtectRtcp(rtcp, RtcpLength, out _));
        Assert.False(sender.TryProtectRtp(Rtp(1), 11, out _));
        Assert.False(sender.TryProtectRtcp(Rtcp(), 7, out _));

        Assert.Equal(rtpBefore, rtp);
        Assert.Equal(rtcpBefore, rtcp);
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Unprotect_ASsrcPastTheLimit_IsTooManyStreams_AndTheKnownOnesGoOn(SrtpProfile profile)
    {
        using var sender = Context(profile);
        using var receiver = Context(profile);
        for (var ssrc = 1u; ssrc <= SrtpContext.MaxStreams; ssrc++)
        {
            Assert.True(receiver.TryUnprotectRtp(Protect(sender, Rtp(1, ssrc), 112), out _, out _));
        }

        Assert.False(sender.TryProtectRtp(Rtp(1, 999), 112, out _));
        Assert.False(sender.TryProtectRtcp(Rtcp(999), RtcpLength, out _));
        using var other = Context(profile);
        Assert.False(receiver.TryUnprotectRtp(Protect(other, Rtp(1, 999), 112), out _, out var rtpError));
        Assert.False(receiver.TryUnprotectRtcp(ProtectRtcp(other, Rtcp(999), RtcpLength), out _, out var rtcpError));
        Assert.Equal(SrtpError.TooManyStreams, rtpError);
        Assert.Equal(SrtpError.TooManyStreams, rtcpError);
        Assert.Equal(SrtpContext.MaxStreams, receiver.StreamCount);
        Assert.True(receiver.TryUnprotectRtp(Protect(sender, Rtp(2, 5), 112), out _, out _));
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Protect_AndUnprotect_WarmContext_AllocateNothing(SrtpProfile profile)
    {
        using var sender = Context(profile);
        using var receiver = Context(profile);
        var buffer = new byte[1300];
        RunPackets(sender, receiver, buffer, 0, 50); // JIT and first-SSRC work
        var before = GC.GetAllocatedBytesForCurrentThread();

        RunPackets(sender, receiver, buffer, 50, 500);

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static void RunPackets(SrtpContext sender, SrtpContext receiver, byte[] buffer, int from, int to)
    {
        for (var n = from; n < to; n++)
        {
            buffer[0] = 0x80;
            BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(2), (ushort)n);
            BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(8), 0xCAFEBABE);
            Assert.True(sender.TryProtectRtp(buffer, 1200, out var length));
            Assert.True(receiver.TryUnprotectRtp(buffer.AsSpan(0, length), out _, out _));
            buffer[0] = 0x81;
            buffer[1] = 201;
            Assert.True(sender.TryProtectRtcp(buffer, RtcpLength, out length));
            Assert.True(receiver.TryUnprotectRtcp(buffer.AsSpan(0, length), out _, out _));
        }
    }

    [Theory]
    [InlineData(SrtpProfile.Aes128CmHmacSha1_80, 16, 12)]
    [InlineData(SrtpProfile.AeadAes128Gcm, 16, 14)]
    [InlineData(SrtpProfile.AeadAes128Gcm, 32, 12)]
    public void Constructor_WrongKeyOrSaltLength_Throws(SrtpProfile profile, int keyLength, int saltLength)
    {
        Assert.Throws<ArgumentException>(() => new SrtpContext(profile, new byte[keyLength], new byte[saltLength]));
    }
}
