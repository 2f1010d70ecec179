namespace LiveRelay.Codecs.Aac;

/// <summary>The samplingFrequencyIndex table of ISO/IEC 14496-3 1.6.3.4 (indices 13 and 14 reserved, 15 escape).</summary>
internal static class AacSampleRates
{
    public const int EscapeIndex = 15;

    private static ReadOnlySpan<int> Rates => [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

    /// <summary>The rate of a table index, or 0 for a reserved or escape index.</summary>
    public static int FromIndex(int index) => (uint)index < (uint)Rates.Length ? Rates[index] : 0;

    /// <summary>The table index of an exact rate, or −1.</summary>
    public static int IndexOf(int sampleRate) => Rates.IndexOf(sampleRate);
}
