using System.Diagnostics.CodeAnalysis;

namespace LiveRelay.Formats.Rtp;

/// <summary>
/// Walks an AudioSpecificConfig inside a StreamMuxConfig to find where it ends: with
/// audioMuxVersion 0 its length is not written, so every field up to the end has to be read.
/// </summary>
internal static class LatmAudioSpecificConfig
{
    private const int EscapeObjectType = 31;
    private const int EscapeFrequencyIndex = 15;
    private const int Sbr = 5;
    private const int Ps = 29;

    //  AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1), the object types read:
    //    audioObjectType                 5 (31: 32 + 6 more bits)
    //    samplingFrequencyIndex          4 (15: samplingFrequency 24)
    //    channelConfiguration            4 (0, a program_config_element, is refused)
    //    if audioObjectType is 5 (SBR) or 29 (PS):
    //      extensionSamplingFrequencyIndex 4 (15: 24 more)
    //      audioObjectType               5 (+6) of the core
    //    GASpecificConfig, for object types 1-4, 6, 7, 17, 19-23:
    //      frameLengthFlag 1, dependsOnCoreCoder 1 [coreCoderDelay 14], extensionFlag 1
    //      [layerNr 3]                         object types 6 and 20
    //      if extensionFlag:
    //        [numOfSubFrame 5, layer_length 11]   object type 22
    //        [3 resilience flags]                  object types 17, 19, 20, 23
    //        extensionFlag3 1
    //    epConfig                        2 for object types 17, 19-23; only 0 and 1 are read
    public static bool TrySkip(ref BitCursor bits, [NotNullWhen(false)] out string? error)
    {
        var objectType = ReadObjectType(ref bits);
        SkipFrequency(ref bits);
        var channelConfiguration = bits.Read(4);
        if (objectType is Sbr or Ps)
        {
            SkipFrequency(ref bits);
            objectType = ReadObjectType(ref bits);
            if (objectType == 22)
            {
                bits.Read(4); // extensionChannelConfiguration
            }
        }

        if (bits.HasError)
        {
            error = "the AudioSpecificConfig is cut off";
            return false;
        }

        if (objectType is not (1 or 2 or 3 or 4 or 6 or 7 or 17 or (>= 19 and <= 23)))
        {
            error = $"audioObjectType {objectType} is not supported in a LATM config";
            return false;
        }

        bits.Read(1); // frameLengthFlag
        if (bits.Read(1) == 1)
        {
            bits.Read(14); // coreCoderDelay
        }

        var extension = bits.Read(1) == 1;
        if (channelConfiguration == 0 && !bits.HasError)
        {
            error = "channelConfiguration 0 (a program config element) is not supported";
            return false;
        }

        if (objectType is 6 or 20)
        {
            bits.Read(3); // layerNr
        }

        if (extension)
        {
            if (objectType == 22)
            {
                bits.Read(5 + 11); // numOfSubFrame, layer_length
            }

            if (objectType is 17 or 19 or 20 or 23)
            {
                bits.Read(3); // aacSection/Scalefactor/SpectralDataResilienceFlag
            }

            bits.Read(1); // extensionFlag3
        }

        var epConfig = objectType is 17 or (>= 19 and <= 23) ? bits.Read(2) : 0;
        if (bits.HasError)
        {
            error = "the AudioSpecificConfig is cut off";
            return false;
        }

        if (epConfig > 1)
        {
            error = $"epConfig {epConfig} (error protection) is not supported";
            return false;
        }

        error = null;
        return true;
    }

    private static int ReadObjectType(ref BitCursor bits)
    {
        var objectType = (int)bits.Read(5);
        return objectType == EscapeObjectType ? 32 + (int)bits.Read(6) : objectType;
    }

    private static void SkipFrequency(ref BitCursor bits)
    {
        if (bits.Read(4) == EscapeFrequencyIndex)
        {
            bits.Read(24);
        }
    }
}

/// <summary>
/// Reads bits most-significant first. Reading past the end never throws: it sets
/// <see cref="HasError"/> and returns zeros, so a parser reads a structure and checks once.
/// </summary>
internal ref struct BitCursor(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;

    /// <summary>Bits read so far.</summary>
    public int Position { get; private set; }

    /// <summary>True once a read ran past the end.</summary>
    public bool HasError { get; private set; }

    /// <summary>Reads <paramref name="count"/> bits (0–32) as an unsigned number; 0 past the end.</summary>
    public uint Read(int count)
    {
        if (HasError || Position + count > _data.Length * 8)
        {
            HasError = true;
            return 0;
        }

        uint value = 0;
        for (var i = 0; i < count; i++)
        {
            var bit = (_data[Position >> 3] >> (7 - (Position & 7))) & 1;
            value = (value << 1) | (uint)bit;
            Position++;
        }

        return value;
    }

    /// <summary>Copies <paramref name="count"/> bits from bit <paramref name="start"/> into new bytes, zero-padded at the end.</summary>
    public readonly byte[] Extract(int start, int count)
    {
        var result = new byte[(count + 7) / 8];
        for (var i = 0; i < count; i++)
        {
            var position = start + i;
            var bit = (_data[position >> 3] >> (7 - (position & 7))) & 1;
            result[i >> 3] |= (byte)(bit << (7 - (i & 7)));
        }

        return result;
    }
}
