namespace LiveRelay.Server.Hosting;

/// <summary>Set once every listener is bound and every hosted service has started.</summary>
public sealed class Readiness
{
    private volatile bool _ready;

    public bool IsReady => _ready;

    public void MarkReady() => _ready = true;
}
