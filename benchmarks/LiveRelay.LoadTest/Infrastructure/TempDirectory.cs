namespace LiveRelay.LoadTest.Infrastructure;

/// <summary>A directory under /tmp owned by one run, deleted when disposed.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix)
    {
        Path = Directory.CreateTempSubdirectory(prefix).FullName;
    }

    public string Path { get; }

    /// <summary>Makes the directory writable by every user (an nginx worker runs as nobody when started as root).</summary>
    public void OpenToAll() => MakeWorldWritable(Path);

    public static void MakeWorldWritable(string path) =>
        File.SetUnixFileMode(path, (UnixFileMode)0b111_111_111);

    public void Dispose()
    {
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
