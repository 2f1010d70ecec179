namespace LiveRelay.Codecs;

/// <summary>
/// What the codec-independent NAL unit code (<see cref="AnnexB"/>, <see cref="LengthPrefixedNalReader"/>)
/// needs to know of a codec's NAL unit header. Implemented by an empty struct per codec and used only as a
/// generic argument, so every call is specialised for the codec: no instance, no allocation, no virtual call.
/// </summary>
internal interface INalSyntax
{
    /// <summary>True when the NAL unit whose header starts with <paramref name="firstHeaderByte"/> is an access unit delimiter.</summary>
    static abstract bool IsAccessUnitDelimiter(byte firstHeaderByte);

    /// <summary>True when the NAL unit is a slice of a random access picture (H.264 IDR, H.265 IRAP): a keyframe.</summary>
    static abstract bool IsRandomAccess(byte firstHeaderByte);
}

/// <summary>
/// A codec's part in writing Annex B from a length-prefixed access unit (<see cref="AnnexB.TryWriteFromLengthPrefixed{TSyntax, TConfig}"/>):
/// its access unit delimiter, and which parameter sets of its decoder configuration go where when a random
/// access access unit does not carry its own.
/// </summary>
/// <typeparam name="TConfig">The codec's decoder configuration record.</typeparam>
internal interface IAnnexBWriterSyntax<TConfig> : INalSyntax
    where TConfig : class
{
    /// <summary>The access unit delimiter written when the access unit has none first, with its 4-byte start code.</summary>
    static abstract ReadOnlySpan<byte> AccessUnitDelimiter { get; }

    /// <summary>True when the NAL unit is a sequence parameter set (the access unit then carries its own parameter sets).</summary>
    static abstract bool IsSps(byte firstHeaderByte);

    /// <summary>True when the parameter sets go right before this NAL unit; only the first such NAL unit counts.</summary>
    static abstract bool IsParameterSetInsertionPoint(byte firstHeaderByte);

    /// <summary>The bytes <see cref="WriteParameterSets"/> writes for <paramref name="config"/>.</summary>
    static abstract int ParameterSetsSize(TConfig config);

    /// <summary>Writes the parameter sets of <paramref name="config"/> with start codes; returns the bytes written.</summary>
    static abstract int WriteParameterSets(TConfig config, Span<byte> destination);
}
