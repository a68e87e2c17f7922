using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;

namespace DirectoryConnector.Engine.Http;

/// <summary>
/// Configures a per-CA client name ("{client}/ca-{sha256}") on first use as a copy of its client's configuration
/// (handlers, resilience pipeline, HttpClient settings) whose primary handler trusts only that CA bundle.
/// </summary>
internal sealed class PrivateCaClientConfiguration(IServiceProvider services, PrivateCaRegistry registry) : IConfigureNamedOptions<HttpClientFactoryOptions>
{
    public void Configure(string? name, HttpClientFactoryOptions options)
    {
        if (name is null || !registry.TryGet(name, out var client, out var certificates))
        {
            return;
        }

        // Resolved here, not in the constructor: the monitor depends on this configuration.
        var template = services.GetRequiredService<IOptionsMonitor<HttpClientFactoryOptions>>().Get(client);
        options.HandlerLifetime = template.HandlerLifetime;
        options.SuppressHandlerScope = template.SuppressHandlerScope;
        options.ShouldRedactHeaderValue = template.ShouldRedactHeaderValue;
        foreach (var action in template.HttpClientActions)
        {
            options.HttpClientActions.Add(action);
        }

        foreach (var action in template.HttpMessageHandlerBuilderActions.Where(action => action.Target is not TlsSetup))
        {
            options.HttpMessageHandlerBuilderActions.Add(action);
        }

        options.HttpMessageHandlerBuilderActions.Add(new TlsSetup(client, certificates).Apply);
    }

    public void Configure(HttpClientFactoryOptions options) => Configure(Options.DefaultName, options);
}
