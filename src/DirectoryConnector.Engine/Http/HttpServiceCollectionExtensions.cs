using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.Telemetry;

namespace DirectoryConnector.Engine.Http;

public static class HttpServiceCollectionExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TClient"/> as a typed client (constructor takes HttpClient) on a SocketsHttpHandler
    /// that honours HTTPS_PROXY / HTTP_PROXY / NO_PROXY, with per-try timeouts and bounded jittered retries of 5xx, 408,
    /// throttling (as <paramref name="policy"/> recognises it) and connection failures; TLS failures are never retried.
    /// Tune it with <c>services.Configure&lt;DirectoryHttpClientOptions&gt;(DirectoryHttpClientFactory.NameOf&lt;TClient&gt;(), ...)</c>.
    /// Resolve it from DI (system trust) or from <see cref="DirectoryHttpClientFactory.Create{TClient}"/> (a caSecretRef's CA).
    /// Keep the primary handler: per-CA clients replace its trust.
    /// </summary>
    public static IHttpClientBuilder AddDirectoryHttpClient<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TClient>(this IServiceCollection services, HttpRateLimitPolicy policy)
        where TClient : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(policy);
        var name = DirectoryHttpClientFactory.NameOf<TClient>();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PrivateCaRegistry>();
        services.TryAddSingleton<HttpPauseGates>();
        services.TryAddSingleton(provider => new DirectoryHttpClientFactory(
            provider.GetRequiredService<IHttpClientFactory>(), provider, provider.GetRequiredService<PrivateCaRegistry>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<HttpClientFactoryOptions>, PrivateCaClientConfiguration>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<TelemetryOptions>, ResilienceTelemetryConfiguration>());
        services.AddOptions<DirectoryHttpClientOptions>(name).Configure(options => options.RateLimitPolicy = policy);
        services.PostConfigure<HttpClientFactoryOptions>(name, options => options.HttpMessageHandlerBuilderActions.Add(new TlsSetup(name, null).Apply));

        // Each try has its own timeout (DirectoryHttpClientOptions.AttemptTimeout), inside the retries.
        var builder = services.AddHttpClient<TClient>(name, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(provider =>
            {
                var options = OptionsOf(provider, name);
                // UseProxy with no Proxy: HttpClient.DefaultProxy, i.e. HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and NO_PROXY.
                return new SocketsHttpHandler
                {
                    UseProxy = true,
                    UseCookies = false,
                    AllowAutoRedirect = false,
                    PooledConnectionIdleTimeout = options.PooledConnectionIdleTimeout,
                    PooledConnectionLifetime = options.PooledConnectionLifetime,
                };
            })
            .AddHttpMessageHandler(provider => new DirectoryHttpOutcomeHandler(OptionsOf(provider, name)));
        builder.AddResilienceHandler("retry", (pipeline, context) =>
            {
                var options = context.GetOptions<DirectoryHttpClientOptions>(name);
                var time = context.ServiceProvider.GetRequiredService<TimeProvider>();
                pipeline.TimeProvider = time;
                var logger = context.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DirectoryHttpClientFactory).FullName!);
                new DirectoryHttpRetryPipeline(name, options, options.RateLimitPolicy, time, logger).Configure(pipeline);
            });
        return builder;
    }

    private static DirectoryHttpClientOptions OptionsOf(IServiceProvider provider, string name) =>
        provider.GetRequiredService<IOptionsMonitor<DirectoryHttpClientOptions>>().Get(name);
}
