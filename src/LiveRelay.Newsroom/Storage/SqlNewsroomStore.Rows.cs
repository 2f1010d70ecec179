using LiveRelay.Newsroom.Model;

namespace LiveRelay.Newsroom.Storage;

// Rows as the database returns them (Dapper maps snake_case columns onto these); converted to the model at once.
public abstract partial class SqlNewsroomStore
{
    private sealed class StationRow
    {
        public string Id { get; set; } = "";
        public string Name { get; set; } = "";
        public string Code { get; set; } = "";
        public long CreatedAt { get; set; }

        public Station ToModel() => new(Id, Name, Code, Time(CreatedAt));
    }

    private sealed class FeedRow
    {
        public string Id { get; set; } = "";
        public string? StationId { get; set; }
        public string Name { get; set; } = "";
        public string Path { get; set; } = "";
        public string? PublishKey { get; set; }
        public string? PullUrl { get; set; }
        public long CreatedAt { get; set; }
        public string? SrtPassphrase { get; set; }
        public long Takeover { get; set; }

        public Feed ToModel() => new(Id, StationId, Name, Path, PublishKey, PullUrl, Time(CreatedAt), SrtPassphrase, Takeover != 0);
    }

    private sealed class RundownRow
    {
        public string Id { get; set; } = "";
        public string? StationId { get; set; }
        public string Title { get; set; } = "";
        public long? PlannedStart { get; set; }
        public string Fallback { get; set; } = "";
        public string? FallbackSource { get; set; }
        public long ReturnWhenBack { get; set; }
        public string? OnAirItemId { get; set; }
        public string? PreviewItemId { get; set; }
        public long Version { get; set; }
        public long CreatedAt { get; set; }
        public long UpdatedAt { get; set; }

        public Rundown ToModel(IReadOnlyList<RundownItem> items) => new()
        {
            Id = Id,
            StationId = StationId,
            Title = Title,
            PlannedStart = Time(PlannedStart),
            Fallback = Enum.Parse<FallbackMode>(Fallback),
            FallbackSource = FallbackSource,
            ReturnWhenBack = ReturnWhenBack != 0,
            Items = items,
            OnAirItemId = OnAirItemId,
            PreviewItemId = PreviewItemId,
            Version = Version,
            CreatedAt = Time(CreatedAt),
            UpdatedAt = Time(UpdatedAt),
        };
    }

    private sealed class ItemRow
    {
        public string Id { get; set; } = "";
        public string RundownId { get; set; } = "";
        public long Position { get; set; }
        public string Title { get; set; } = "";
        public string? Source { get; set; }
        public string? FeedId { get; set; }
        public long? PlannedDurationSeconds { get; set; }
        public string? Notes { get; set; }
        public string State { get; set; } = "";

        public RundownItem ToModel() => new(Id, RundownId, (int)Position, Title, Source, FeedId, (int?)PlannedDurationSeconds, Notes, Enum.Parse<ItemState>(State));
    }

    private sealed class ShareRow
    {
        public string Id { get; set; } = "";
        public string Kind { get; set; } = "";
        public string TargetId { get; set; } = "";
        public string StationId { get; set; } = "";
        public long? ExpiresAt { get; set; }
        public long? RevokedAt { get; set; }
        public long CreatedAt { get; set; }

        public Share ToModel() => new(Id, Enum.Parse<ShareKind>(Kind), TargetId, StationId, Time(ExpiresAt), Time(RevokedAt), Time(CreatedAt));
    }

    private sealed class PullRow
    {
        public string Id { get; set; } = "";
        public string StationId { get; set; } = "";
        public string? ShareId { get; set; }
        public string StreamPath { get; set; } = "";
        public string Protocol { get; set; } = "";
        public string? RemoteAddress { get; set; }
        public long StartedAt { get; set; }
        public long? EndedAt { get; set; }
        public long Bytes { get; set; }
        public string? Refusal { get; set; }

        public PullRecord ToModel() => new()
        {
            Id = Id,
            StationId = StationId,
            ShareId = ShareId,
            StreamPath = StreamPath,
            Protocol = Protocol,
            RemoteAddress = RemoteAddress,
            StartedAt = Time(StartedAt),
            EndedAt = Time(EndedAt),
            Bytes = Bytes,
            Refusal = Refusal,
        };
    }
}
