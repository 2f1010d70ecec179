namespace LiveRelay.Formats.Mp4;

/// <summary>Why ISO BMFF (MP4) input was rejected; stable, for logs and metrics.</summary>
public enum Mp4FormatError
{
    /// <summary>A box header, or the size it declares, runs past the end of its parent or of the input.</summary>
    BoxTruncated,

    /// <summary>A box declares a size smaller than its own header.</summary>
    InvalidBoxSize,

    /// <summary>Boxes are nested deeper than <see cref="Mp4BoxReader.MaxDepth"/>.</summary>
    NestingTooDeep,

    /// <summary>A box body is shorter than the fields its version and flags announce.</summary>
    BoxTooShort,

    /// <summary>A box the structure requires is absent (moov, tkhd, mdhd, hdlr, stsd, tfhd, a codec configuration).</summary>
    MissingBox,

    /// <summary>A full box carries a version this reader does not know.</summary>
    UnsupportedVersion,

    /// <summary>A field holds a value the format forbids (a timescale of 0, a track_ID of 0, a sample description index of 0).</summary>
    InvalidValue,

    /// <summary>An avcC, hvcC or esds (its descriptors or AudioSpecificConfig) does not parse.</summary>
    InvalidCodecConfiguration,

    /// <summary>A trun declares more samples than <see cref="FragmentedMp4Demuxer.MaxSamplesPerRun"/> or than the input can hold.</summary>
    TooManySamples,

    /// <summary>A sample's data lies outside the segment.</summary>
    SampleDataOutOfRange,

    /// <summary>A decode or presentation time does not fit 64 bits once on the 90 kHz clock.</summary>
    TimestampOutOfRange,
}
