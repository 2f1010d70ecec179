namespace LiveRelay.Protocols.WebRtc.Tests.Fuzzing;

/// <summary>Seeded mutation fuzzing: a fixed seed and iteration budget (reproducible, no clock), mutants of valid vectors,
/// failures that give the iteration and the input in hex, a hang detector and an allocation guard.</summary>
internal static class Fuzz
{
    public const int Seed = 20260304;
    /// <summary>Iterations before the allocation guard is armed: one-time costs (type initialisers, first throws) are not the parser's.</summary>
    private const int WarmUp = 256;
    private static readonly TimeSpan s_hangLimit = TimeSpan.FromSeconds(60);
    private static readonly byte[] s_interesting = [0x00, 0xFF, 0x7F, 0x80];
    [ThreadStatic] private static bool t_guardArmed;

    /// <summary>Checks <paramref name="iterations"/> mutants of <paramref name="seeds"/> on a worker; still running after 60 s is a hang.</summary>
    public static async Task RunAsync(int iterations, byte[][] seeds, Action<byte[], Random> check, Func<Random, byte[][], byte[]>? mutate = null)
    {
        var (iteration, input) = (-1, Array.Empty<byte>());
        var loop = Task.Run(() =>
        {
            var random = new Random(Seed);
            for (var i = 0; i < iterations; i++)
            {
                t_guardArmed = i >= WarmUp;
                (iteration, input) = (i, (mutate ?? Mutate)(random, seeds));
                Check(i, input, random, check);
            }
        });
        try { await loop.WaitAsync(s_hangLimit).ConfigureAwait(false); }
        catch (TimeoutException) { Assert.Fail($"hang: iteration {iteration} still running after {s_hangLimit.TotalSeconds} s, input {Convert.ToHexString(input)}"); }
    }

    /// <summary>Replays a corpus input: once to warm up, then with the allocation guard armed.</summary>
    public static void Replay(byte[] input, Action<byte[], Random> check)
    {
        foreach (var armed in new[] { false, true }) { t_guardArmed = armed; Check(-1, input, new Random(Seed), check); }
        t_guardArmed = false;
    }

    /// <summary>Runs one check; whatever it lets out fails the test with the iteration and the input.</summary>
    public static void Check(int iteration, byte[] input, Random random, Action<byte[], Random> check)
    {
        try { check(input, random); }
        catch (Exception ex) { Assert.Fail($"iteration {iteration}, input ({input.Length} bytes) {Convert.ToHexString(input)}{Environment.NewLine}{ex}"); }
    }

    public static long Allocated() => GC.GetAllocatedBytesForCurrentThread();

    /// <summary>Fails when <paramref name="allocated"/> bytes (two <see cref="Allocated"/> readings apart) exceed a parser's bound.</summary>
    public static void AssertAllocatedAtMost(long allocated, long bound, string what)
    {
        if (t_guardArmed && allocated > bound) { Assert.Fail($"{what} allocated {allocated} bytes, over its bound of {bound}"); }
    }

    /// <summary>One to four of: bit flip, interesting byte, truncation, extension, chunk duplication or removal, splice
    /// with a seed, length-field inflation at an aligned offset; or, one time in 16, pure noise.</summary>
    public static byte[] Mutate(Random random, byte[][] seeds)
    {
        var data = new List<byte>(random.Next(16) == 0 ? Noise(random, random.Next(600)) : seeds[random.Next(seeds.Length)]);
        for (var n = data.Count == 0 ? 0 : 1 + random.Next(4); n > 0; n--)
        {
            var (at, other, width) = (random.Next(data.Count + 1), seeds[random.Next(seeds.Length)], random.Next(2) == 0 ? 2 : 4);
            var (rest, field, top) = (data.Count - at, at - (at % width), s_interesting[1 + random.Next(3)]);
            switch (random.Next(8))
            {
                case 0 when rest > 0: data[at] ^= (byte)(1 << random.Next(8)); break;
                case 1 when rest > 0: data[at] = s_interesting[random.Next(s_interesting.Length)]; break;
                case 2: data.RemoveRange(at, rest); break;
                case 3: data.AddRange(Noise(random, 1 + random.Next(64))); break;
                case 4: data.InsertRange(random.Next(data.Count + 1), data.GetRange(at, Math.Min(rest, 1 + random.Next(64)))); break;
                case 5: data.RemoveRange(at, Math.Min(rest, 1 + random.Next(64))); break;
                case 6: data.RemoveRange(at, rest); data.AddRange(other[random.Next(other.Length + 1)..]); break;
                case 7 when field + width <= data.Count: for (var i = 0; i < width; i++) { data[field + i] = i == 0 ? top : top == 0x80 ? (byte)0 : (byte)0xFF; } break;
            }
        }

        return [.. data];
    }
    public static byte[] Noise(Random random, int length) => [.. Enumerable.Range(0, length).Select(_ => (byte)random.Next(256))];
}
