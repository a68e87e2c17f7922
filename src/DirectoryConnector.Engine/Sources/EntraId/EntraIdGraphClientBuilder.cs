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
/// Builds the GraphServiceClient for a spec. One HTTP primary handler (trusting caSecretRef's CA when set, the
/// proxy from HTTPS_PROXY / NO_PROXY) carries both the token requests of Azure.Identity and the Graph requests.
/// The one retry layer for Graph is the SDK's RetryHandler (429/503/504, Retry-After honoured, at most
/// <see cref="GraphMaxRetries"/> retries); Azure.Identity keeps its own retry policy for the token endpoint.
/// </summary>
internal static class EntraIdGraphClientBuilder
{
    /// <summary>Retries of a throttled or unavailable Graph request before the sync fails (Graph SDK maximum 10).</summary>
    public const int GraphMaxRetries = 5;

    public static (GraphServiceClient Client, EntraIdTokenRenewalHandler Renewal) Build(
        EntraIdSourceSpec spec, EntraIdEndpoints endpoints, string? clientSecret, string? certificatePem, string? caPem)
    {
        var primary = PrimaryHandler(caPem);
        var credential = new EntraIdCredential(() => Credential(spec, endpoints, clientSecret, certificatePem, primary));
        var renewal = new EntraIdTokenRenewalHandler(credential, endpoints.Scope);
        var options = new GraphClientOptions();
        var handlers = GraphClientFactory.CreateDefaultHandlers(options);
        var retry = handlers.OfType<Microsoft.Kiota.Http.HttpClientLibrary.Middleware.RetryHandler>().Single();
        handlers[handlers.IndexOf(retry)] = new Microsoft.Kiota.Http.HttpClientLibrary.Middleware.RetryHandler(
            new Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options.RetryHandlerOption { MaxRetry = GraphMaxRetries });
        handlers.Add(renewal); // innermost: a renewed request is not counted as a throttling retry
        var httpClient = GraphClientFactory.Create(handlers, finalHandler: primary);
        httpClient.Timeout = TimeSpan.FromMinutes(2);
        // Tokens go only to the configured Graph host (the SDK's default list names Microsoft's clouds only).
        // Continuous access evaluation stays off: an expired or revoked token is renewed by the handler above, and
        // the handler and the SDK then share one token cache entry.
        var authentication = new AzureIdentityAuthenticationProvider(credential, [endpoints.GraphBaseUrl.Host], null, false, [endpoints.Scope]);
        return (new GraphServiceClient(httpClient, authentication, endpoints.GraphBaseUrl.AbsoluteUri), renewal);
    }

    private static TokenCredential Credential(EntraIdSourceSpec spec, EntraIdEndpoints endpoints, string? clientSecret, string? certificatePem, HttpMessageHandler primary)
    {
        void Configure(TokenCredentialOptions options)
        {
            options.AuthorityHost = endpoints.AuthorityHost;
            options.Transport = new HttpClientTransport(new HttpClient(primary, disposeHandler: false));
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

    private static SocketsHttpHandler PrimaryHandler(string? caPem)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(30),
        };
        if (caPem is not null)
        {
            var roots = new X509Certificate2Collection();
            try
            {
                roots.ImportFromPem(caPem);
            }
            catch (CryptographicException e)
            {
                throw CaInvalid(e);
            }

            if (roots.Count == 0)
            {
                throw CaInvalid(null);
            }

            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.AddRange(roots);
            handler.SslOptions.CertificateChainPolicy = policy;
        }

        return handler;
    }

    private static SyncFailedException CaInvalid(Exception? inner)
        => new(SyncFailureReason.InvalidSpec, "spec.source.entraId.caSecretRef must hold one or more PEM certificates (BEGIN CERTIFICATE).", retryable: false, inner);
}
