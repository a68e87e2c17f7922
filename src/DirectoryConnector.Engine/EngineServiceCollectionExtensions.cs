using DirectoryConnector.Engine.Bitwarden;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Http;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.EntraId;
using DirectoryConnector.Engine.Sources.File;
using DirectoryConnector.Engine.Sources.GoogleWorkspace;
using DirectoryConnector.Engine.Sources.Ldap;
using DirectoryConnector.Engine.Sources.Okta;
using DirectoryConnector.Engine.Sources.OneLogin;
using DirectoryConnector.Engine.Sync;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DirectoryConnector.Engine;

public static class EngineServiceCollectionExtensions
{
    /// <summary>Registers the sync engine, the directory source providers, the spec validator and the Bitwarden typed
    /// client. TimeProvider.System unless the host registered its own first.</summary>
    public static IServiceCollection AddDirectoryConnectorEngine(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddLogging();
        services.AddBitwardenClient();
        services.AddDirectoryHttpClient<EntraIdHttpClient>(HttpRateLimitPolicy.Default);

        // Directory sources: one line each (README "Adding a directory source").
        services.AddSourceProvider<LdapSourceProvider>();
        services.AddSourceProvider<FileSourceProvider>();
        services.AddSourceProvider<EntraIdSourceProvider>();
        services.AddSourceProvider<GoogleWorkspaceSourceProvider>().AddDirectoryHttpClient<GoogleDirectoryClient>(new GoogleRateLimitPolicy());
        services.AddSourceProvider<OktaSourceProvider>().AddDirectoryHttpClient<OktaClient>(new OktaRateLimitPolicy());
        services.TryAddSingleton<OktaDpopNonceCache>();
        services.TryAddSingleton<OktaAccessTokenCache>();
        services.AddSourceProvider<OneLoginSourceProvider>().TryAddSingleton<OneLoginTokenCache>();
        services.AddDirectoryHttpClient<OneLoginClient>(new OneLoginRateLimitPolicy());

        services.TryAddSingleton<SpecValidator>();
        services.TryAddTransient<SyncEngine>();
        return services;
    }
}
