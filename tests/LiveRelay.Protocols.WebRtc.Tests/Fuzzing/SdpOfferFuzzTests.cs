using System.Runtime.InteropServices;
using System.Text;
using LiveRelay.Protocols.WebRtc.Sdp;
using LiveRelay.Protocols.WebRtc.Tests.Sdp;

namespace LiveRelay.Protocols.WebRtc.Tests.Fuzzing;

/// <summary>
/// <see cref="WebRtcOffer.Parse"/> against mutated Chrome, Firefox and OBS offers: byte mutations, then lines inserted
/// from a dictionary of near-miss attributes, repeated (to reach the m= and payload type limits) or removed. The only
/// exception allowed is <see cref="WebRtcSdpException"/>; an accepted offer is within the documented limits.
/// </summary>
public sealed class SdpOfferFuzzTests
{
    private const int Iterations = 30_000;

    private static readonly string[] s_dictionary =
    [
        "v=0", "m=video 9 UDP/TLS/RTP/SAVPF 96 97", "m=audio 0 RTP/AVP 0", "m=application 9 UDP/DTLS/SCTP webrtc-datachannel",
        "m=video 70000 RTP/AVP 96", "m=video 9 RTP/AVP 128", "m=x 9 y", "a=group:BUNDLE 0 1 2 9", "a=group:BUNDLE", "a=mid:",
        "a=mid:0", "a=mid:" + new string('m', 40), "a=extmap:1", "a=extmap:0 urn:x", "a=extmap:256/sendonly urn:x",
        "a=rtpmap:96 VP8/0", "a=rtpmap:96 /90000", "a=rtpmap:96 opus/48000/0", "a=rtpmap:300 H264/90000", "a=rtpmap:97 rtx/90000",
        "a=fmtp:97 apt=", "a=fmtp:97 apt=96;;=;apt", "a=fmtp: ", "a=rtcp-fb:* nack", "a=rtcp-fb:96", "a=ssrc:-1 cname:x",
        "a=ssrc:4294967296", "a=ssrc-group:FID 1", "a=ssrc-group:FID 1 x", "a=setup:holdconn", "a=setup:", "a=fingerprint:sha-256 ZZ",
        "a=fingerprint:sha-1 00", "a=fingerprint:md5 " + string.Join(':', Enumerable.Repeat("AB", 65)), "a=ice-ufrag:a:b",
        "a=ice-ufrag:\u00e9t\u00e9", "a=ice-pwd:" + new string('p', 300), "a=ice-ufrag:", "a=sendonly", "a=bundle-only", "a=rtcp-mux",
        "=", "a=", "a", "m=", "\0", "\u2028", "\ud800", "a=mid:\ud83d\ude00",
    ];

    internal static readonly byte[][] Seeds =
        [.. new[] { SampleOffers.ChromeWhip, SampleOffers.ChromeWhep, SampleOffers.FirefoxWhip, SampleOffers.ObsWhip }.Select(Encoding.Latin1.GetBytes)];

    [Fact]
    public Task Parse_MutatedOffers_ThrowOnlyWebRtcSdpException() =>
        Fuzz.RunAsync(Iterations, Seeds, Check, MutateLines);

    /// <summary>An offer's parse allocates its lines, their parts and the offer: 64 KiB plus 64 per UTF-16 byte.</summary>
    internal static long AllocationBound(int utf16Length) => (64 * 1024) + (64L * utf16Length);

    /// <summary>Byte mutations of the offer's Latin-1 text, then line edits; the input is the offer's UTF-16 code units.</summary>
    internal static byte[] MutateLines(Random random, byte[][] seeds)
    {
        var lines = Encoding.Latin1.GetString(Fuzz.Mutate(random, seeds)).Split('\n').ToList();
        for (var n = random.Next(4); n > 0; n--)
        {
            var at = random.Next(lines.Count + 1);
            switch (random.Next(3))
            {
                case 0: lines.Insert(at, s_dictionary[random.Next(s_dictionary.Length)] + (random.Next(2) == 0 ? "\r" : "")); break;
                case 1 when at < lines.Count: lines.InsertRange(at, Enumerable.Repeat(lines[at], 1 + random.Next(150))); break;
                case 2 when at < lines.Count: lines.RemoveAt(at); break;
            }
        }

        return MemoryMarshal.AsBytes(string.Join('\n', lines).AsSpan()).ToArray();
    }

    internal static void Check(byte[] utf16, Random random)
    {
        var sdp = new string(MemoryMarshal.Cast<byte, char>(utf16));
        WebRtcOffer? offer = null;
        var before = Fuzz.Allocated();
        try
        {
            offer = WebRtcOffer.Parse(sdp);
        }
        catch (WebRtcSdpException)
        {
            // The documented refusal.
        }
        finally
        {
            Fuzz.AssertAllocatedAtMost(Fuzz.Allocated() - before, AllocationBound(utf16.Length), "WebRtcOffer.Parse");
        }

        if (offer is not null)
        {
            Assert.InRange(offer.Media.Count, 1, WebRtcOffer.MaxMedia);
            Assert.All(offer.Media, m => Assert.InRange(m.Codecs.Count, 0, WebRtcOffer.MaxCodecsPerMedia));
            Assert.DoesNotContain(offer.IceUfrag, c => c is <= ' ' or > '~' or ':');
            Assert.DoesNotContain(offer.IcePwd, c => c is <= ' ' or > '~' or ':');
            Assert.Contains(offer.Setup, new[] { "actpass", "active", "passive", "holdconn" });
        }
    }
}
