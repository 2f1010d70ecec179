namespace LiveRelay.Codecs.Tests.H264;

/// <summary>Hand-builds SPS NAL units for the syntax paths libx264 never emits (SPS scaling lists, POC type 1, HRD, no VUI).</summary>
internal sealed class SpsBuilder
{
    public int ProfileIdc { get; init; } = 100;
    public int ChromaFormatIdc { get; init; } = 1;
    public bool SeparateColourPlane { get; init; }
    public bool ScalingLists { get; init; }
    public int ScalingDelta { get; init; } = 5;
    public int PicOrderCntType { get; init; }
    public long WidthInMbs { get; init; } = 80;
    public int HeightInMbs { get; init; } = 45;
    public int CropRight { get; init; }
    public int CropBottom { get; init; }
    public bool Vui { get; init; } = true;
    public bool ExtendedSar { get; init; }
    public bool Timing { get; init; } = true;
    public uint NumUnitsInTick { get; init; } = 1;
    public uint TimeScale { get; init; } = 50;
    public bool Hrd { get; init; }
    public bool BitstreamRestriction { get; init; }
    public bool StopBit { get; init; } = true;

    public byte[] Build()
    {
        var w = new TestBitWriter()
            .Bits((ulong)ProfileIdc, 8).Bits(0, 8).Bits(31, 8)
            .Ue(0); // seq_parameter_set_id
        if (ProfileIdc is 100 or 110 or 122 or 244)
        {
            w.Ue((ulong)ChromaFormatIdc);
            if (ChromaFormatIdc == 3)
            {
                w.Flag(SeparateColourPlane);
            }

            w.Ue(0).Ue(0).Flag(false).Flag(ScalingLists);
            if (ScalingLists)
            {
                var lists = ChromaFormatIdc == 3 ? 12 : 8;
                for (var i = 0; i < lists; i++)
                {
                    var present = i % 3 != 2; // mix present and absent lists
                    w.Flag(present);
                    if (!present)
                    {
                        continue;
                    }

                    if (i == 1)
                    {
                        w.Se(-8); // nextScale 0: "use default" after one delta
                        continue;
                    }

                    var size = i < 6 ? 16 : 64;
                    for (var j = 0; j < size; j++)
                    {
                        w.Se(j == 0 ? ScalingDelta : (j % 2 == 0 ? 1 : -1));
                    }
                }
            }
        }

        w.Ue(0).Ue((ulong)PicOrderCntType); // log2_max_frame_num_minus4, pic_order_cnt_type
        if (PicOrderCntType == 0)
        {
            w.Ue(2);
        }
        else if (PicOrderCntType == 1)
        {
            w.Flag(false).Se(-3).Se(7).Ue(3).Se(1).Se(-2).Se(300);
        }

        w.Ue(4).Flag(false) // max_num_ref_frames, gaps
            .Ue((ulong)(WidthInMbs - 1)).Ue((ulong)(HeightInMbs - 1))
            .Flag(true) // frame_mbs_only_flag
            .Flag(true); // direct_8x8_inference_flag
        var crop = CropRight != 0 || CropBottom != 0;
        w.Flag(crop);
        if (crop)
        {
            w.Ue(0).Ue((ulong)CropRight).Ue(0).Ue((ulong)CropBottom);
        }

        w.Flag(Vui);
        if (Vui)
        {
            w.Flag(true).Bits(ExtendedSar ? 255u : 1u, 8);
            if (ExtendedSar)
            {
                w.Bits(4, 16).Bits(3, 16);
            }

            w.Flag(true).Flag(false) // overscan
                .Flag(true).Bits(5, 3).Flag(false).Flag(true).Bits(1, 8).Bits(1, 8).Bits(1, 8) // video signal type
                .Flag(true).Ue(0).Ue(0) // chroma loc
                .Flag(Timing);
            if (Timing)
            {
                w.Bits(NumUnitsInTick, 32).Bits(TimeScale, 32).Flag(true);
            }

            w.Flag(Hrd);
            if (Hrd)
            {
                w.Ue(1).Bits(4, 4).Bits(6, 4); // two CPBs
                for (var i = 0; i < 2; i++)
                {
                    w.Ue(12_345).Ue(67_890).Flag(i == 0);
                }

                w.Bits(23, 5).Bits(23, 5).Bits(23, 5).Bits(24, 5);
            }

            w.Flag(false); // vcl_hrd_parameters_present_flag
            if (Hrd)
            {
                w.Flag(false); // low_delay_hrd_flag
            }

            w.Flag(false).Flag(BitstreamRestriction);
            if (BitstreamRestriction)
            {
                w.Flag(true).Ue(2).Ue(1).Ue(16).Ue(16).Ue(2).Ue(4);
            }
        }

        if (StopBit)
        {
            w.TrailingBits();
        }
        else
        {
            w.Bits(0, 8);
        }

        return w.ToNalUnit(0x67);
    }
}
