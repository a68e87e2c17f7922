using System.Collections.Concurrent;

namespace DirectoryConnector.Engine.Sources.Okta;

/// <summary>The last DPoP nonce each Okta token endpoint gave each service app, kept across syncs (a singleton, as
/// OneLoginTokenCache): a sync's first token request carries it instead of paying two refused requests (no proof,
/// then no nonce) to learn it again. Okta renews the nonce every 24 hours and accepts one for three days
/// (developer.okta.com/docs/guides/dpop), so a remembered nonce is usually still good; a stale one costs one retry.
/// A nonce is no secret; a remembered one also says the app required DPoP.</summary>
public sealed class OktaDpopNonceCache
{
    private readonly ConcurrentDictionary<(string TokenUrl, string ClientId), string> nonces = new();

    internal string? Get(Uri tokenUrl, string clientId) => nonces.TryGetValue((tokenUrl.AbsoluteUri, clientId), out var nonce) ? nonce : null;

    internal void Set(Uri tokenUrl, string clientId, string nonce) => nonces[(tokenUrl.AbsoluteUri, clientId)] = nonce;
}
