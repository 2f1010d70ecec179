using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("LiveRelay.Codecs.Tests")]
