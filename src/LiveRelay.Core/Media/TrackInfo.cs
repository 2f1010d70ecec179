namespace LiveRelay.Core.Media;

/// <summary>
/// The description of one track: codec and its configuration. Immutable; a publisher that
/// changes codec parameters publishes a new instance, and every egress compares the
/// instance a frame carries with the one it last announced to know when to send fresh
/// sequence headers.
/// </summary>
public sealed class TrackInfo
{
    private readonly object?[] _cache = new object?[EncodingSlot.Max];

    /// <summary>Video or audio.</summary>
    public required MediaKind Kind { get; init; }

    /// <summary>The codec.</summary>
    public required CodecId Codec { get; init; }

    /// <summary>
    /// Codec configuration: AVCDecoderConfigurationRecord (H.264), HEVCDecoderConfigurationRecord (H.265),
    /// AudioSpecificConfig (AAC), OpusHead (Opus). Empty when unknown.
    /// </summary>
    public ReadOnlyMemory<byte> CodecConfig { get; init; }

    /// <summary>Coded width in pixels (video).</summary>
    public int Width { get; init; }

    /// <summary>Coded height in pixels (video).</summary>
    public int Height { get; init; }

    /// <summary>Sample rate in Hz (audio).</summary>
    public int SampleRate { get; init; }

    /// <summary>Channel count (audio).</summary>
    public int Channels { get; init; }

    /// <summary>RFC 6381 codec string, e.g. <c>avc1.64001f</c> or <c>mp4a.40.2</c>.</summary>
    public string CodecString { get; init; } = "";

    /// <summary>True when the codec configuration bytes match (the same parameters, maybe a new instance).</summary>
    public bool HasSameConfig(TrackInfo? other) =>
        other is not null && other.Codec == Codec && other.CodecConfig.Span.SequenceEqual(CodecConfig.Span);

    /// <summary>
    /// Returns the per-track serialization an egress made once (e.g. an RTMP sequence header),
    /// making it on first use. Racing callers may both build it; one wins.
    /// </summary>
    public TValue GetOrCreate<TValue>(EncodingSlot slot, Func<TrackInfo, TValue> create)
        where TValue : class
    {
        if (Volatile.Read(ref _cache[slot.Index]) is TValue existing)
        {
            return existing;
        }

        var created = create(this);
        return Interlocked.CompareExchange(ref _cache[slot.Index], created, null) as TValue ?? created;
    }

    public override string ToString() => Kind == MediaKind.Video
        ? $"{Codec} {Width}x{Height}"
        : $"{Codec} {SampleRate}Hz {Channels}ch";
}
