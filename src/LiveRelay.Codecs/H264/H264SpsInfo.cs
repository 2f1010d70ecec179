namespace LiveRelay.Codecs.H264;

/// <summary>
/// What the relay needs from an H.264 sequence parameter set: profile, level, display size
/// (after cropping) and the frame rate signalled in the VUI.
/// </summary>
/// <param name="ProfileIdc"><c>profile_idc</c> (66 baseline, 77 main, 100 high ...).</param>
/// <param name="LevelIdc"><c>level_idc</c> (31 for level 3.1).</param>
/// <param name="Width">Display width in pixels, after frame cropping.</param>
/// <param name="Height">Display height in pixels, after frame cropping.</param>
/// <param name="FrameRate">Frames per second from the VUI timing info (time_scale ÷ 2·num_units_in_tick); 0 when absent.</param>
public readonly record struct H264SpsInfo(int ProfileIdc, int LevelIdc, int Width, int Height, double FrameRate)
{
    /// <summary>
    /// Parses a sequence parameter set NAL unit: the 1-byte NAL header followed by the escaped RBSP
    /// (emulation-prevention bytes included), as it appears in an AVC configuration record or an
    /// access unit. Returns false for anything truncated, out of range or not an SPS; never throws.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> spsNalUnit, out H264SpsInfo info)
    {
        if (!H264SpsParser.TryParse(spsNalUnit, out var sps))
        {
            info = default;
            return false;
        }

        info = new H264SpsInfo(sps.ProfileIdc, sps.LevelIdc, sps.Width, sps.Height, sps.FrameRate);
        return true;
    }
}
