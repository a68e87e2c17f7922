using Azure.Core;

namespace DirectoryConnector.Engine.Sources.EntraId;

/// <summary>
/// The application's credential (Azure.Identity ClientSecretCredential or ClientCertificateCredential), renewable:
/// Azure.Identity caches a token until shortly before it expires, so when Graph rejects one as expired or revoked
/// (401) <see cref="Renew"/> builds a fresh credential whose first request fetches a new token.
/// </summary>
internal sealed class EntraIdCredential(Func<TokenCredential> create) : TokenCredential
{
    private TokenCredential current = create();

    public void Renew() => Volatile.Write(ref current, create());

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        => Volatile.Read(ref current).GetToken(requestContext, cancellationToken);

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        => Volatile.Read(ref current).GetTokenAsync(requestContext, cancellationToken);
}
