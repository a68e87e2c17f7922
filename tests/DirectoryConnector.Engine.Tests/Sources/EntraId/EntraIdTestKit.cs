using DirectoryConnector.TestSupport;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.EntraId;
using DirectoryConnector.TestSupport.EntraId;
using DirectoryConnector.Engine.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DirectoryConnector.Engine.Tests.Sources.EntraId;

internal static class EntraIdTestKit
{
    /// <summary>A spec pointing the real SDK at the stand-in (authorityHost and graphUrl overrides).</summary>
    public static EntraIdSourceSpec Spec(EntraIdStandIn standIn, bool includeGuests = false) => new()
    {
        Tenant = standIn.TenantId,
        ApplicationId = standIn.ApplicationId,
        ClientSecretRef = new SecretKeyRef { Name = "entra-app", Key = "client-secret" },
        AuthorityHost = standIn.BaseUrl.AbsoluteUri,
        GraphUrl = standIn.BaseUrl.AbsoluteUri,
        IncludeGuests = includeGuests,
        CaSecretRef = new SecretKeyRef { Name = "entra-ca", Key = "ca.crt" },
    };

    /// <summary>The engine's services (the shared HTTP plumbing with its retries), with short backoffs.</summary>
    public static readonly ServiceProvider Services = BuildServices();

    public static DirectoryHttpClientFactory HttpClients => Services.GetRequiredService<DirectoryHttpClientFactory>();

    public static int MaxAttempts => Services.GetRequiredService<IOptionsMonitor<DirectoryHttpClientOptions>>().Get(DirectoryHttpClientFactory.NameOf<EntraIdHttpClient>()).MaxAttempts;

    public static IDirectorySource Source(EntraIdStandIn standIn, EntraIdSourceSpec? spec = null, string? users = null, string? groups = null, string? secret = null)
        => EntraIdSourceFactory.Create(spec ?? Spec(standIn), Filter(users, groups), secret ?? standIn.ClientSecret, null, standIn.CaPem,
            HttpClients, NullLoggerFactory.Instance);

    /// <summary>spec.filters as the provider's validation parses them; throws InvalidSpec naming the field, as a sync would.</summary>
    public static EntraIdFilter Filter(string? users = null, string? groups = null)
    {
        var check = EngineServices.Validator.Check(new DirectorySyncSpec
        {
            Bitwarden = new BitwardenSpec { ApiKeySecretRef = new ApiKeySecretRef { Name = "bw-key" } },
            Source = new SourceSpec { EntraId = new EntraIdSourceSpec { Tenant = "contoso", ApplicationId = "app", ClientSecretRef = new SecretKeyRef { Name = "entra", Key = "secret" } } },
            Filters = new FiltersSpec { Users = users, Groups = groups },
        });
        check.ThrowIfInvalid();
        return EntraIdFilter.From(check.UsersFilter, check.GroupsFilter);
    }

    private static ServiceProvider BuildServices()
    {
        var services = new ServiceCollection();
        services.AddDirectoryConnectorEngine();
        services.Configure<DirectoryHttpClientOptions>(DirectoryHttpClientFactory.NameOf<EntraIdHttpClient>(), options =>
        {
            options.BaseRetryDelay = TimeSpan.FromMilliseconds(10);
            options.MaxRetryDelay = TimeSpan.FromMilliseconds(50);
        });
        return services.BuildServiceProvider();
    }

    public static Task<DirectorySnapshot> ReadAsync(this IDirectorySource source, string? cursor = null, bool groups = true)
        => source.ReadAsync(new DirectoryQuery(Users: true, Groups: groups, IncludeDeleted: false) { Cursor = cursor }, CancellationToken.None);

    public static EntraUser User(string name, bool enabled = true, string? mail = "") => new(
        Id: IdOf(name),
        UserPrincipalName: $"{name}@contoso.com",
        Mail: mail == "" ? $"{name}@contoso.com" : mail,
        AccountEnabled: enabled,
        DisplayName: name);

    /// <summary>A stable GUID-shaped object id per name, so assertions can name ids.</summary>
    public static string IdOf(string name)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name));
        return new Guid(hash.AsSpan(0, 16)).ToString();
    }

    public static string[] Emails(DirectorySnapshot snapshot) => [.. snapshot.Users.Select(u => $"{u.Email}{(u.Disabled ? " disabled" : "")}{(u.Deleted ? " deleted" : "")}")];
}
