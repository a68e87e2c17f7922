using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DirectoryConnector.Engine.Sources.Okta;
using DirectoryConnector.TestSupport.Okta;
using Microsoft.IdentityModel.Tokens;

namespace DirectoryConnector.Engine.Tests.Sources.Okta;

internal static class OktaTestKit
{
    /// <summary>An HttpClient that trusts only the stand-in's CA, as caSecretRef makes the real one do.</summary>
    public static HttpClient TrustingClient(OktaStandIn standIn)
    {
        var ca = X509Certificate2.CreateFromPem(standIn.CaPem);
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (certificate is null)
                    {
                        return false;
                    }

                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None && chain.Build(new X509Certificate2(certificate));
                },
            },
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
    }

    public static OktaClient Client(OktaStandIn standIn) => new(TrustingClient(standIn));

    public static OktaApiToken Token(OktaStandIn standIn) => new(standIn.ApiToken);

    /// <summary>A service app registered with the stand-in: its private key as PEM and the public half in its JWKS.</summary>
    public static (string ClientId, string PrivateKeyPem) RegisterServiceApp(OktaStandIn standIn, params string[] scopes)
    {
        using var rsa = RSA.Create(2048);
        var clientId = "0oa" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant() + "svc";
        var publicKey = RSA.Create();
        publicKey.ImportRSAPublicKey(rsa.ExportRSAPublicKey(), out _);
        standIn.RegisterServiceApp(clientId, new RsaSecurityKey(publicKey), scopes.Length == 0 ? ["okta.users.read", "okta.groups.read"] : scopes);
        return (clientId, rsa.ExportPkcs8PrivateKeyPem());
    }

    public static OktaServiceApp ServiceApp(OktaStandIn standIn, string clientId, string privateKeyPem) =>
        new(standIn.TokenUrl, clientId, OktaServiceApp.SigningCredentialsFrom(privateKeyPem, keyId: null), TimeProvider.System);
}
