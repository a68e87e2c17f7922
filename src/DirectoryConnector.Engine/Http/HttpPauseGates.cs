using System.Collections.Concurrent;

namespace DirectoryConnector.Engine.Http;

/// <summary>When the next request of a client to a host may go, after a rate-limit policy asked for a pause.
/// A singleton: HttpClientFactory rotates handlers, the server's budget does not rotate with them.</summary>
internal sealed class HttpPauseGates
{
    private readonly ConcurrentDictionary<(string Client, string Authority), DateTimeOffset> notBefore = new();

    public TimeSpan WaitFor(string client, Uri url, DateTimeOffset now) =>
        notBefore.TryGetValue((client, url.Authority), out var at) && at > now ? at - now : TimeSpan.Zero;

    public void Pause(string client, Uri url, DateTimeOffset until) =>
        notBefore.AddOrUpdate((client, url.Authority), until, (_, current) => current > until ? current : until);
}
