using DirectoryConnector.Engine.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DirectoryConnector.Engine.Bitwarden;

public static class BitwardenServiceCollectionExtensions
{
    /// <summary>Registers the typed <see cref="BitwardenClient"/>, its options and the shared token cache.
    /// No resilience handler: the client's own policy retries, and a second one would multiply POSTs.</summary>
    public static IServiceCollection AddBitwardenClient(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<BitwardenClientOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<BitwardenTokenCache>();
        // The client times out each try itself (BitwardenClientOptions.AttemptTimeout).
        services.AddHttpClient<BitwardenClient>(http => http.Timeout = Timeout.InfiniteTimeSpan);
        // Reads and group deletes are idempotent: the shared plumbing retries them.
        services.AddDirectoryHttpClient<Organization.BitwardenOrganizationClient>(HttpRateLimitPolicy.Default);
        return services;
    }
}
