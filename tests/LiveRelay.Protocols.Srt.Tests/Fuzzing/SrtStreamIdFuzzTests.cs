using System.Runtime.InteropServices;
using System.Text;
using LiveRelay.Core.Streams;

namespace LiveRelay.Protocols.Srt.Tests.Fuzzing;

/// <summary>
/// <see cref="SrtStreamId.TryParse"/> against mutated streamids of every accepted form: byte mutations, then
/// percent-encodings (broken, overlong, of invalid UTF-8 and of surrogates), access-control syntax, control and
/// exotic characters, and lengths around <see cref="SrtStreamId.MaxLength"/>. It never throws; a refusal says why;
/// an accepted streamid names a valid stream path and a defined mode.
/// </summary>
public sealed class SrtStreamIdFuzzTests
{
    private const int Iterations = 300_000;

    private static readonly string[] s_dictionary =
    [
        "%", "%2", "%ZZ", "%00", "%25", "%2525", "%2F", "%2C", "%3D", "%23%21%3A%3A", "%C3%28", "%F0%9F%98%80", "%ED%A0%80", "%FF", "%C0%AF",
        "#!::", "#!:", "::", ":", ",", "=", "==", "?", "&", "/", "//", "..", ".", "\0", "\u0007", "\u001F", "\u007F", "\u0085", "\u00A0",
        "\u2028", "\ud800", "\udc00", "\ud83d\ude00", "\uFEFF", "m=", "r=", "u=", "s=", "m=publish", "m=request", "m=bidirectional",
        "publish:", "read:", "PLAY:", " ", "\t", "\r\n",
    ];

    internal static readonly byte[][] Seeds =
    [
        .. new[]
        {
            "#!::r=live/cam1,m=publish", "#!::m=request,r=live/cam1,u=alice,s=abc123,t=stream", "publish:live/cam1",
            "read:live/cam1?key=secret&x", "live/cam1", "program/42", "%23%21%3A%3Ar%3Dlive%2Fcam1%2Cm%3Drequest",
            "play:a/b/c/d?x=%2F%00&=&&y", "#!::r=a/b?k=v,m=play",
        }.Select(Encoding.Latin1.GetBytes),
    ];

    [Fact]
    public Task TryParse_MutatedStreamIds_NeverThrowsAndAcceptsOnlyValidPaths() =>
        Fuzz.RunAsync(Iterations, Seeds, Check, MutateText);

    /// <summary>
    /// A parse allocates the unescaped text, the split pairs, the parameter dictionary and the result, all bounded by
    /// the 512-character limit checked first: 16 KiB plus 32 per UTF-16 byte of at most 512 characters.
    /// </summary>
    internal static long AllocationBound(int utf16Length) => (16 * 1024) + (32L * Math.Min(utf16Length, 2 * SrtStreamId.MaxLength));

    /// <summary>Byte mutations of a Latin-1 streamid, then dictionary insertions or repetition; the input is its UTF-16 code units.</summary>
    internal static byte[] MutateText(Random random, byte[][] seeds)
    {
        var text = new StringBuilder(Encoding.Latin1.GetString(Fuzz.Mutate(random, seeds)));
        for (var n = random.Next(5); n > 0; n--)
        {
            switch (random.Next(4))
            {
                case 0 or 1: text.Insert(random.Next(text.Length + 1), s_dictionary[random.Next(s_dictionary.Length)]); break;
                case 2 when text.Length < SrtStreamId.MaxLength: text.Insert(0, text.ToString(), 1 + random.Next(40)); break;
                case 3: text.Length = Math.Min(text.Length, SrtStreamId.MaxLength - 1 + random.Next(3)); break;
            }
        }

        return MemoryMarshal.AsBytes(text.ToString().AsSpan()).ToArray();
    }

    internal static void Check(byte[] utf16, Random random)
    {
        var text = new string(MemoryMarshal.Cast<byte, char>(utf16));
        var before = Fuzz.Allocated();
        var parsed = SrtStreamId.TryParse(text, out var streamId, out var error);
        Fuzz.AssertAllocatedAtMost(Fuzz.Allocated() - before, AllocationBound(utf16.Length), "SrtStreamId.TryParse");

        if (!parsed)
        {
            Assert.Null(streamId);
            Assert.False(string.IsNullOrEmpty(error), "a refusal must say why");
            return;
        }

        Assert.Equal("", error);
        Assert.True(StreamPath.TryNormalize(streamId!.Path, out var path, out var pathError), pathError);
        Assert.Equal(path, streamId.Path);
        Assert.True(Enum.IsDefined(streamId.Mode), $"mode {streamId.Mode}");
    }
}
