namespace LiveRelay.Core.Media;

/// <summary>What a track carries.</summary>
public enum MediaKind : byte
{
    Video,
    Audio,
}
