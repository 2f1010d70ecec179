namespace LiveRelay.Codecs.H265;

/// <summary>
/// What the relay needs from an H.265 sequence parameter set: profile, tier, level, display size
/// (after the conformance window), sampling and the frame rate signalled in the VUI.
/// </summary>
/// <param name="ProfileIdc"><c>general_profile_idc</c> (1 Main, 2 Main 10, 4 range extensions ...).</param>
/// <param name="HighTier"><c>general_tier_flag</c>.</param>
/// <param name="LevelIdc"><c>general_level_idc</c>: 30 × the level (93 for level 3.1).</param>
/// <param name="Width">Display width in pixels, after conformance window cropping.</param>
/// <param name="Height">Display height in pixels, after conformance window cropping.</param>
/// <param name="ChromaFormatIdc">0 monochrome, 1 4:2:0, 2 4:2:2, 3 4:4:4.</param>
/// <param name="BitDepthLuma">Luma sample bit depth, 8 to 16.</param>
/// <param name="BitDepthChroma">Chroma sample bit depth, 8 to 16.</param>
/// <param name="FrameRate">Frames per second from the VUI timing info (vui_time_scale ÷ vui_num_units_in_tick); 0 when absent.</param>
public readonly record struct H265SpsInfo(
    int ProfileIdc,
    bool HighTier,
    int LevelIdc,
    int Width,
    int Height,
    int ChromaFormatIdc,
    int BitDepthLuma,
    int BitDepthChroma,
    double FrameRate)
{
    /// <summary>
    /// Parses a sequence parameter set NAL unit: the 2-byte NAL header followed by the escaped RBSP
    /// (emulation-prevention bytes included), as it appears in an HEVC configuration record or an
    /// access unit. Returns false for anything truncated, out of range or not a base-layer SPS; never throws.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> spsNalUnit, out H265SpsInfo info)
    {
        if (!H265SpsParser.TryParse(spsNalUnit, out var sps))
        {
            info = default;
            return false;
        }

        var ptl = sps.ProfileTierLevel;
        info = new H265SpsInfo(ptl.ProfileIdc, ptl.HighTier, ptl.LevelIdc, sps.Width, sps.Height, sps.ChromaFormatIdc, sps.BitDepthLuma,
            sps.BitDepthChroma, sps.FrameRate);
        return true;
    }
}
