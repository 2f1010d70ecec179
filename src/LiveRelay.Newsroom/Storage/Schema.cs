namespace LiveRelay.Newsroom.Storage;

/// <summary>
/// The schema as numbered migrations, in SQL both SQLite and PostgreSQL accept (TEXT and BIGINT
/// columns; times are Unix milliseconds, so ordering and comparison are the same in both).
/// </summary>
internal static class Schema
{
    public static readonly IReadOnlyList<string> Migrations =
    [
        """
        CREATE TABLE stations (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            code TEXT NOT NULL UNIQUE,
            created_at BIGINT NOT NULL);
        CREATE TABLE feeds (
            id TEXT PRIMARY KEY,
            station_id TEXT NULL REFERENCES stations(id) ON DELETE SET NULL,
            name TEXT NOT NULL,
            path TEXT NOT NULL,
            publish_key TEXT NULL,
            pull_url TEXT NULL,
            created_at BIGINT NOT NULL);
        CREATE TABLE rundowns (
            id TEXT PRIMARY KEY,
            station_id TEXT NULL REFERENCES stations(id) ON DELETE SET NULL,
            title TEXT NOT NULL,
            planned_start BIGINT NULL,
            fallback TEXT NOT NULL,
            fallback_source TEXT NULL,
            return_when_back BIGINT NOT NULL,
            on_air_item_id TEXT NULL,
            preview_item_id TEXT NULL,
            version BIGINT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL);
        CREATE TABLE rundown_items (
            id TEXT PRIMARY KEY,
            rundown_id TEXT NOT NULL REFERENCES rundowns(id) ON DELETE CASCADE,
            position BIGINT NOT NULL,
            title TEXT NOT NULL,
            source TEXT NULL,
            feed_id TEXT NULL,
            planned_duration_seconds BIGINT NULL,
            notes TEXT NULL,
            state TEXT NOT NULL);
        CREATE INDEX rundown_items_rundown ON rundown_items (rundown_id, position);
        CREATE TABLE shares (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            target_id TEXT NOT NULL,
            station_id TEXT NOT NULL REFERENCES stations(id) ON DELETE CASCADE,
            expires_at BIGINT NULL,
            revoked_at BIGINT NULL,
            created_at BIGINT NOT NULL);
        CREATE INDEX shares_target ON shares (target_id);
        CREATE TABLE pulls (
            id TEXT PRIMARY KEY,
            station_id TEXT NOT NULL,
            share_id TEXT NULL,
            stream_path TEXT NOT NULL,
            protocol TEXT NOT NULL,
            remote_address TEXT NULL,
            started_at BIGINT NOT NULL,
            ended_at BIGINT NULL,
            bytes BIGINT NOT NULL,
            refusal TEXT NULL);
        CREATE INDEX pulls_station ON pulls (station_id, started_at);
        CREATE INDEX pulls_stream ON pulls (stream_path, started_at);
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL);
        """,
        """
        CREATE TABLE users (
            id TEXT PRIMARY KEY,
            station_id TEXT NULL REFERENCES stations(id) ON DELETE CASCADE,
            username TEXT NOT NULL UNIQUE,
            display_name TEXT NOT NULL,
            role TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            created_at BIGINT NOT NULL);
        """,
        """
        CREATE TABLE pull_sources (
            id TEXT PRIMARY KEY,
            path TEXT NOT NULL UNIQUE,
            url TEXT NOT NULL,
            transport TEXT NOT NULL,
            on_demand BIGINT NOT NULL,
            idle_seconds BIGINT NOT NULL,
            created_at BIGINT NOT NULL);
        CREATE TABLE relay_targets (
            id TEXT PRIMARY KEY,
            source TEXT NOT NULL,
            url TEXT NOT NULL,
            created_at BIGINT NOT NULL);
        """,
        """
        ALTER TABLE feeds ADD COLUMN srt_passphrase TEXT NULL;
        ALTER TABLE feeds ADD COLUMN takeover BIGINT NOT NULL DEFAULT 0;
        """,
    ];
}
