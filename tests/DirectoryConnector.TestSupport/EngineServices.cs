using DirectoryConnector.Engine;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using Microsoft.Extensions.DependencyInjection;

namespace DirectoryConnector.TestSupport;

/// <summary>The engine's services as the hosts register them (every source provider), for tests that need the
/// provider-driven validator or registry without a host.</summary>
public static class EngineServices
{
    private static readonly Lazy<IServiceProvider> Services = new(() => new ServiceCollection().AddDirectoryConnectorEngine().BuildServiceProvider());

    public static SourceProviders Providers => Services.Value.GetRequiredService<SourceProviders>();

    public static SpecValidator Validator => Services.Value.GetRequiredService<SpecValidator>();
}
