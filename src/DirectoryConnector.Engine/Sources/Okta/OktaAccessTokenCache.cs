namespace DirectoryConnector.Engine.Sources.Okta;

/// <summary>
/// Service-app access tokens kept across syncs (a singleton, as <see cref="OktaDpopNonceCache"/>): Okta's tokens last an
/// hour and its token endpoint allows few requests a minute, so a sync every few minutes reuses the token of the last
/// one instead of asking again. Keyed by token URL, client id, scopes and the signing key (its public JWK thumbprint,
/// kid and algorithm): only a sync that could get the same token itself, with the same key of the same app of the same
/// org, ever gets it. A DPoP-bound token keeps the proof key it is bound to. Bounded: at <see cref="Capacity"/> entries
/// the expired ones go first, then the ones that expire soonest.
/// </summary>
public sealed class OktaAccessTokenCache
{
    /// <summary>More service apps than one operator syncs; beyond it a sync merely asks Okta for its token again.</summary>
    internal const int Capacity = 256;

    private readonly Lock gate = new();
    private readonly Dictionary<OktaTokenCacheKey, OktaCachedToken> tokens = [];

    internal int Count
    {
        get
        {
            lock (gate)
            {
                return tokens.Count;
            }
        }
    }

    internal OktaCachedToken? Get(OktaTokenCacheKey key, DateTimeOffset now)
    {
        lock (gate)
        {
            if (!tokens.TryGetValue(key, out var token))
            {
                return null;
            }

            if (now < token.RenewAt)
            {
                return token;
            }

            tokens.Remove(key);
            return null;
        }
    }

    internal void Set(OktaTokenCacheKey key, OktaCachedToken token, DateTimeOffset now)
    {
        lock (gate)
        {
            if (!tokens.ContainsKey(key) && tokens.Count >= Capacity)
            {
                foreach (var expired in tokens.Where(entry => entry.Value.RenewAt <= now).Select(entry => entry.Key).ToList())
                {
                    tokens.Remove(expired);
                }

                if (tokens.Count >= Capacity)
                {
                    tokens.Remove(tokens.MinBy(entry => entry.Value.RenewAt).Key);
                }
            }

            tokens[key] = token;
        }
    }

    /// <summary>Forgets <paramref name="token"/> after Okta refused it; a newer token another sync stored stays.</summary>
    internal void Remove(OktaTokenCacheKey key, OktaCachedToken token)
    {
        lock (gate)
        {
            if (tokens.TryGetValue(key, out var stored) && ReferenceEquals(stored, token))
            {
                tokens.Remove(key);
            }
        }
    }
}
