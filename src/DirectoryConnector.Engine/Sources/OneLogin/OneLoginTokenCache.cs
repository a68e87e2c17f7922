using System.Collections.Concurrent;

namespace DirectoryConnector.Engine.Sources.OneLogin;

/// <summary>Access tokens by connection, kept across syncs for their lifetime (10 hours at OneLogin), so a sync every
/// few minutes does not ask for a token each time. A singleton; a rotated secret is another connection.</summary>
public sealed class OneLoginTokenCache
{
    private readonly ConcurrentDictionary<OneLoginConnection, (string Token, DateTimeOffset Expires)> tokens = new();

    internal string? Get(OneLoginConnection connection, DateTimeOffset now) =>
        tokens.TryGetValue(connection, out var entry) && entry.Expires > now ? entry.Token : null;

    internal void Set(OneLoginConnection connection, string token, DateTimeOffset expires) => tokens[connection] = (token, expires);

    /// <summary>Forgets a token the server refused, so the next call fetches a fresh one.</summary>
    internal void Remove(OneLoginConnection connection) => tokens.TryRemove(connection, out _);
}
