using DirectoryConnector.Engine.Sync;
using DirectoryConnector.Engine.Http;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.Filters;
using DirectoryConnector.Engine.Sources.GoogleWorkspace;
using DirectoryConnector.TestSupport.GoogleWorkspace;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace DirectoryConnector.Engine.Tests.Sources.GoogleWorkspace;

internal static class GoogleTestKit
{
    public const string Admin = "admin@example.com";

    /// <summary>A stand-in with an administrator to impersonate.</summary>
    public static async Task<GoogleWorkspaceStandIn> StartAsync()
    {
        var standIn = await GoogleWorkspaceStandIn.StartAsync();
        standIn.AddUser(Admin, isAdmin: true);
        return standIn;
    }

    public static GoogleWorkspaceSourceSpec Spec(GoogleWorkspaceStandIn standIn) => new()
    {
        AdminUser = Admin,
        ServiceAccountKeySecretRef = new() { Name = "google-sa", Key = "key.json" },
        TokenUrl = standIn.TokenUrl.ToString(),
        ApiUrl = standIn.BaseUrl.ToString(),
    };

    /// <summary>The engine's HTTP plumbing with the Google policy, retrying after 10–50 ms instead of seconds.</summary>
    public static ServiceProvider Services() => new ServiceCollection()
        .AddLogging()
        .AddEngineGoogleHttpClient()
        .Configure<DirectoryHttpClientOptions>(DirectoryHttpClientFactory.NameOf<GoogleDirectoryClient>(), options =>
        {
            options.BaseRetryDelay = TimeSpan.FromMilliseconds(10);
            options.MaxRetryDelay = TimeSpan.FromMilliseconds(50);
        })
        .BuildServiceProvider();

    private static IServiceCollection AddEngineGoogleHttpClient(this IServiceCollection services)
    {
        services.AddDirectoryHttpClient<GoogleDirectoryClient>(new GoogleRateLimitPolicy());
        return services;
    }

    /// <summary>A filter as the provider parses spec.filters.users (or <paramref name="path"/>).</summary>
    public static SourceFilter Filter(string? text, string path = SourceValidation.UsersFilterPath) =>
        SourceFilter.TryParse(text, SourceFilterSyntax.IncludeExcludeWithQuery, out var filter) is { } error
            ? throw new SyncFailedException(SyncFailureReason.InvalidSpec, $"{path}: {error}", retryable: false)
            : filter!;

    /// <summary>The source as the provider builds it, its client trusting <paramref name="caPem"/> (the stand-in's CA unless told otherwise).</summary>
    internal static GoogleWorkspaceSource Source(GoogleWorkspaceStandIn standIn, ServiceProvider services, GoogleWorkspaceSourceSpec? spec = null, string? key = null,
        SourceFilter? users = null, SourceFilter? groups = null, bool removeDisabled = false, string? caPem = "")
    {
        var client = services.GetRequiredService<DirectoryHttpClientFactory>().Create<GoogleDirectoryClient>(caPem == "" ? standIn.CaPem : caPem);
        return GoogleWorkspaceSource.Create(spec ?? Spec(standIn), key ?? standIn.ServiceAccount.ToJsonKey(), "key key.json of Secret google-sa",
            users ?? SourceFilter.None, groups ?? SourceFilter.None, removeDisabled, client, NullLogger.Instance);
    }
}
