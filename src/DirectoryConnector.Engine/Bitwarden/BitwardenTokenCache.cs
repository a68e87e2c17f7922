using System.Collections.Concurrent;

namespace DirectoryConnector.Engine.Bitwarden;

/// <summary>Access tokens per (identity URL, client id, secret). A singleton: typed HttpClients are transient,
/// and the cloud allows only 10 token requests per minute.</summary>
public sealed class BitwardenTokenCache
{
    private readonly ConcurrentDictionary<Key, Entry> entries = new();

    internal bool TryGet(Uri identityUrl, OrganizationApiKey apiKey, DateTimeOffset now, out string accessToken)
    {
        if (entries.TryGetValue(KeyOf(identityUrl, apiKey), out var entry) && entry.RenewAt > now)
        {
            accessToken = entry.AccessToken;
            return true;
        }

        accessToken = "";
        return false;
    }

    internal void Set(Uri identityUrl, OrganizationApiKey apiKey, string accessToken, DateTimeOffset renewAt) =>
        entries[KeyOf(identityUrl, apiKey)] = new Entry(accessToken, renewAt);

    internal void Remove(Uri identityUrl, OrganizationApiKey apiKey) => entries.TryRemove(KeyOf(identityUrl, apiKey), out _);

    private static Key KeyOf(Uri identityUrl, OrganizationApiKey apiKey) => new(identityUrl.AbsoluteUri, apiKey.ClientId, apiKey.SecretFingerprint);

    private readonly record struct Key(string IdentityUrl, string ClientId, string SecretFingerprint);

    private sealed record Entry(string AccessToken, DateTimeOffset RenewAt)
    {
        public override string ToString() => $"Entry {{ RenewAt = {RenewAt:O} }}";
    }
}
