namespace LiveRelay.Codecs.H265;

/// <summary>The H.265 <c>nal_unit_type</c> values the relay acts on (ITU-T H.265 table 7-1).</summary>
public static class H265NalType
{
    /// <summary>Coded slice of a non-IRAP trailing picture (non-reference).</summary>
    public const int TrailN = 0;

    /// <summary>Coded slice of a non-IRAP trailing picture (reference).</summary>
    public const int TrailR = 1;

    /// <summary>BLA_W_LP: the first of the intra random access point (IRAP) types.</summary>
    public const int FirstIrap = 16;

    /// <summary>IDR_W_RADL: IDR picture that may have leading (RADL) pictures.</summary>
    public const int IdrWRadl = 19;

    /// <summary>IDR_N_LP: IDR picture without leading pictures.</summary>
    public const int IdrNLp = 20;

    /// <summary>CRA_NUT: clean random access picture.</summary>
    public const int Cra = 21;

    /// <summary>RSV_IRAP_VCL23: the last of the IRAP types (22 and 23 are reserved IRAP).</summary>
    public const int LastIrap = 23;

    /// <summary>Video parameter set.</summary>
    public const int Vps = 32;

    /// <summary>Sequence parameter set.</summary>
    public const int Sps = 33;

    /// <summary>Picture parameter set.</summary>
    public const int Pps = 34;

    /// <summary>Access unit delimiter.</summary>
    public const int Aud = 35;

    /// <summary>Prefix supplemental enhancement information.</summary>
    public const int PrefixSei = 39;

    /// <summary>Suffix supplemental enhancement information.</summary>
    public const int SuffixSei = 40;
}
