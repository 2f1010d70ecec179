namespace LiveRelay.LoadTest.Infrastructure;

/// <summary>A directory under /tmp owned by one run, deleted when disposed.</summary>
internal sealed class TempDirectory : IDisposable
{
    private static readonly object s_lock = new();
    private static readonly HashSet<TempDirectory> s_live = [];

    public TempDirectory(string prefix)
    {
        Path = Directory.CreateTempSubdirectory(prefix).FullName;
        lock (s_lock)
        {
            s_live.Add(this);
        }
    }

    public string Path { get; }

    /// <summary>Makes the directory writable by every user (an nginx worker runs as nobody when started as root).</summary>
    public void OpenToAll() => MakeWorldWritable(Path);

    public static void MakeWorldWritable(string path) =>
        File.SetUnixFileMode(path, (UnixFileMode)0b111_111_111);

    /// <summary>Deletes every directory not yet disposed (at exit, after the children are killed).</summary>
    public static void DeleteAll()
    {
        TempDirectory[] live;
        lock (s_lock)
        {
            live = [.. s_live];
        }

        foreach (var directory in live)
        {
            directory.Dispose();
        }
    }

    public void Dispose()
    {
        lock (s_lock)
        {
            s_live.Remove(this);
        }

        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left for the system's /tmp cleaning.
        }
    }
}
