using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DirectoryConnector.Engine.Sources;

public static class SourceProviderServiceCollectionExtensions
{
    /// <summary>Registers a directory source: the one line a new source adds to
    /// <see cref="EngineServiceCollectionExtensions.AddDirectoryConnectorEngine"/>.</summary>
    public static IServiceCollection AddSourceProvider<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TProvider>(this IServiceCollection services)
        where TProvider : class, ISourceProvider
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISourceProvider, TProvider>());
        services.TryAddSingleton<SourceProviders>();
        return services;
    }
}
