using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("LiveRelay.Protocols.WebRtc.Tests")]
