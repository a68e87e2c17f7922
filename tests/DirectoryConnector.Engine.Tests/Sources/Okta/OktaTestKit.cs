using System.Security.Cryptography;
using DirectoryConnector.Engine.Http;
using DirectoryConnector.Engine.Sources.Okta;
using DirectoryConnector.TestSupport.Okta;
using DirectoryConnector.TestSupport.Bitwarden;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DirectoryConnector.Engine.Tests.Sources.Okta;

internal static class OktaTestKit
{
    private static readonly ServiceProvider Services = new ServiceCollection()
        .AddLogging()
        .AddDirectoryHttpClient<OktaClient>(new OktaRateLimitPolicy()).Services
        .BuildServiceProvider();

    /// <summary>The client as the provider makes it: trusting only the stand-in's CA (caSecretRef), with the retries and pacing.</summary>
    public static OktaClient Client(OktaStandIn standIn) => Services.GetRequiredService<DirectoryHttpClientFactory>().Create<OktaClient>(standIn.CaPem);

    public static OktaApiToken Token(OktaStandIn standIn) => new(standIn.ApiToken);

    /// <summary>A service app registered with the stand-in: its private key as PEM and the public half in its JWKS.</summary>
    public static (string ClientId, string PrivateKeyPem) RegisterServiceApp(OktaStandIn standIn, params string[] scopes) =>
        RegisterServiceApp(standIn, requireDpop: false, scopes);

    /// <summary>As <see cref="RegisterServiceApp(OktaStandIn, string[])"/>; <paramref name="requireDpop"/> as Okta sets it by
    /// default on new API Services apps.</summary>
    public static (string ClientId, string PrivateKeyPem) RegisterServiceApp(OktaStandIn standIn, bool requireDpop, params string[] scopes)
    {
        using var rsa = RSA.Create(2048);
        var clientId = "0oa" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant() + "svc";
        var publicKey = RSA.Create();
        publicKey.ImportRSAPublicKey(rsa.ExportRSAPublicKey(), out _);
        standIn.RegisterServiceApp(clientId, new RsaSecurityKey(publicKey), scopes.Length == 0 ? ["okta.users.read", "okta.groups.read"] : scopes, requireDpop: requireDpop);
        return (clientId, rsa.ExportPkcs8PrivateKeyPem());
    }

    /// <param name="nonces">The operator's DPoP nonces across syncs; a fresh, empty cache unless given.</param>
    /// <param name="tokens">The operator's access tokens across syncs; a fresh, empty cache unless given.</param>
    /// <param name="time">The clock; the system's unless given.</param>
    public static OktaServiceApp ServiceApp(OktaStandIn standIn, string clientId, string privateKeyPem, OktaDpopNonceCache? nonces = null, OktaAccessTokenCache? tokens = null, TimeProvider? time = null) =>
        new(standIn.TokenUrl, clientId, OktaServiceApp.SigningCredentialsFrom(privateKeyPem, keyId: null), time ?? TimeProvider.System, nonces ?? new OktaDpopNonceCache(), tokens ?? new OktaAccessTokenCache());

    /// <summary>The nonce claim of a request's DPoP proof, or null when it has none (or no proof).</summary>
    public static string? ProofNonce(RecordedRequest request) =>
        request.Headers.TryGetValue("DPoP", out var proof) && new JsonWebToken(proof).TryGetPayloadValue<string>("nonce", out var nonce) ? nonce : null;
}
