using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using DirectoryConnector.Engine.Sync;
using Microsoft.Graph;
using Microsoft.Graph.Authentication;

namespace DirectoryConnector.Engine.Sources.EntraId;

/// <summary>
/// Builds the GraphServiceClient for a spec over one <see cref="EntraIdHttpClient"/> of the shared HTTP plumbing
/// (caSecretRef's CA, HTTPS_PROXY / NO_PROXY, bounded retries honouring Retry-After): Azure.Identity's token requests
/// and the Graph requests both go through it, and it is the one retry layer (Azure.Identity's own retries and the
/// Graph SDK's retry middleware are not used).
/// </summary>
internal static class EntraIdGraphClientBuilder
{
    public static GraphServiceClient Build(EntraIdSourceSpec spec, EntraIdEndpoints endpoints, string? clientSecret, string? certificatePem, HttpClient http)
    {
        var credential = new EntraIdCredential(() => Credential(spec, endpoints, clientSecret, certificatePem, http));
        var graphHttp = new HttpClient(new EntraIdTokenRenewalHandler(credential, endpoints.Scope, http)) { Timeout = Timeout.InfiniteTimeSpan };
        // Tokens go only to the configured Graph host (the SDK's default list names Microsoft's clouds only).
        // Continuous access evaluation stays off: an expired or revoked token is renewed by the handler above, and
        // the handler and the SDK then share one token cache entry.
        var authentication = new AzureIdentityAuthenticationProvider(credential, [endpoints.GraphBaseUrl.Host], null, false, [endpoints.Scope]);
        return new GraphServiceClient(graphHttp, authentication, endpoints.GraphBaseUrl.AbsoluteUri);
    }

    private static TokenCredential Credential(EntraIdSourceSpec spec, EntraIdEndpoints endpoints, string? clientSecret, string? certificatePem, HttpClient http)
    {
        void Configure(TokenCredentialOptions options)
        {
            options.AuthorityHost = endpoints.AuthorityHost;
            options.Transport = new HttpClientTransport(http);
            options.Retry.MaxRetries = 0; // the plumbing retries
        }

        if (clientSecret is not null)
        {
            var options = new ClientSecretCredentialOptions { DisableInstanceDiscovery = true };
            Configure(options);
            return new ClientSecretCredential(spec.Tenant.Trim(), spec.ApplicationId.Trim(), clientSecret, options);
        }

        var certificateOptions = new ClientCertificateCredentialOptions { DisableInstanceDiscovery = true };
        Configure(certificateOptions);
        return new ClientCertificateCredential(spec.Tenant.Trim(), spec.ApplicationId.Trim(), Certificate(certificatePem!), certificateOptions);
    }

    /// <summary>The PEM certificate and private key of clientCertificateSecretRef (both in one text).</summary>
    internal static X509Certificate2 Certificate(string pem)
    {
        try
        {
            return X509Certificate2.CreateFromPem(pem, pem);
        }
        catch (CryptographicException e)
        {
            throw new SyncFailedException(SyncFailureReason.InvalidSpec,
                "spec.source.entraId.clientCertificateSecretRef must hold a PEM certificate (BEGIN CERTIFICATE) followed by its unencrypted private key (BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY).",
                retryable: false, e);
        }
    }
}
