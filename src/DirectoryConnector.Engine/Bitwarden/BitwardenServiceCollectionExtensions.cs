using DirectoryConnector.Engine.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DirectoryConnector.Engine.Bitwarden;

public static class BitwardenServiceCollectionExtensions
{
    /// <summary>Registers the typed <see cref="BitwardenClient"/> on the shared HTTP plumbing (retries, per-try timeout,
    /// Retry-After, caSecretRef trust), its options and the shared token cache. The retry settings of
    /// <see cref="BitwardenClientOptions"/> drive the plumbing's options for this client; every try waits for the
    /// process-wide <see cref="BitwardenRequestLimiter"/>.</summary>
    public static IServiceCollection AddBitwardenClient(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<BitwardenClientOptions>();
        services.TryAddSingleton<BitwardenTokenCache>();
        services.TryAddSingleton<BitwardenRequestLimiter>();
        services.AddDirectoryHttpClient<BitwardenClient>(HttpRateLimitPolicy.Default);
        // The public members and groups API (reads, group deletes) shares the key, the token and the retry settings.
        services.AddDirectoryHttpClient<Organization.BitwardenOrganizationClient>(HttpRateLimitPolicy.Default);
        foreach (var name in new[] { DirectoryHttpClientFactory.NameOf<BitwardenClient>(), DirectoryHttpClientFactory.NameOf<Organization.BitwardenOrganizationClient>() })
        {
            services.AddOptions<DirectoryHttpClientOptions>(name)
                .Configure<IOptions<BitwardenClientOptions>, BitwardenRequestLimiter>((http, bitwarden, limiter) =>
                {
                    http.RequestLimiter = limiter;
                    http.MaxAttempts = bitwarden.Value.MaxAttempts;
                    http.BaseRetryDelay = bitwarden.Value.BaseRetryDelay;
                    http.MaxRetryDelay = bitwarden.Value.MaxRetryDelay;
                    http.MaxRetryAfter = bitwarden.Value.MaxRetryAfter;
                    http.AttemptTimeout = bitwarden.Value.AttemptTimeout;
                });
        }
        return services;
    }
}
