using DirectoryConnector.TestSupport;
using DirectoryConnector.Engine.Bitwarden;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.Okta;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.Engine.Tests.Bitwarden;
using DirectoryConnector.TestSupport.Bitwarden;
using DirectoryConnector.TestSupport.Okta;
using Microsoft.Extensions.DependencyInjection;

namespace DirectoryConnector.Engine.Tests.Sources.Okta;

/// <summary>The engine with its registered providers reading the Okta stand-in and posting to the Bitwarden stand-in,
/// keeping the sync state between runs as the operator's status does.</summary>
internal sealed class OktaHarness : IAsyncDisposable
{
    private readonly ServiceProvider services;

    private OktaHarness(OktaStandIn okta, BitwardenStandIn bitwarden)
    {
        Okta = okta;
        Bitwarden = bitwarden;
        References.Secrets[("bitwarden-org-api-key", "client_id")] = bitwarden.ClientId;
        References.Secrets[("bitwarden-org-api-key", "client_secret")] = bitwarden.ClientSecret;
        References.Secrets[("okta-api", "token")] = okta.ApiToken;
        References.Secrets[("okta-ca", "ca.crt")] = okta.CaPem;
        services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(TimeProvider.System)
            .AddDirectoryConnectorEngine()
            .BuildServiceProvider();
    }

    public OktaStandIn Okta { get; }

    public BitwardenStandIn Bitwarden { get; }

    public InMemoryReferences References { get; } = new();

    public SyncState? State { get; set; }

    /// <summary>The last sync's outcome.</summary>
    public SyncOutcome? Last { get; private set; }

    public static async Task<OktaHarness> StartAsync(OktaStandInOptions? options = null) =>
        new(await OktaStandIn.StartAsync(options ?? new OktaStandInOptions { MaxPageSize = 2 }), await BitwardenStandIn.StartAsync());

    public DirectorySyncSpec Spec(string? users = null, string? groups = null, Action<OktaSourceSpec>? okta = null)
    {
        var source = new OktaSourceSpec
        {
            OrgUrl = Okta.OrgUrl.AbsoluteUri,
            TokenSecretRef = new SecretKeyRef { Name = "okta-api", Key = "token" },
            CaSecretRef = new SecretKeyRef { Name = "okta-ca", Key = "ca.crt" },
        };
        okta?.Invoke(source);
        return new DirectorySyncSpec
        {
            Bitwarden = new BitwardenSpec { ServerUrl = Bitwarden.BaseUrl.ToString(), ApiKeySecretRef = new ApiKeySecretRef { Name = "bitwarden-org-api-key" } },
            Source = new SourceSpec { Okta = source },
            Filters = new FiltersSpec { Users = users, Groups = groups },
        };
    }

    public async Task<SyncOutcome> SyncAsync(DirectorySyncSpec? spec = null, CancellationToken cancellationToken = default)
    {
        spec ??= Spec();
        var source = await services.GetRequiredService<SpecValidator>().Check(spec).CreateSourceAsync(References, cancellationToken);
        Last = await services.GetRequiredService<SyncEngine>().SyncAsync(EngineServices.Validator.Check(spec), source, References, State, new SyncRunOptions(), cancellationToken);
        State = Last.State;
        return Last;
    }

    /// <summary>The organization's members as "email status", sorted.</summary>
    public string[] Members => BitwardenTestKit.MemberSummary(Bitwarden);

    /// <summary>The organization's groups as "name: member emails", sorted.</summary>
    public string[] Groups
    {
        get
        {
            var organization = Bitwarden.Organization;
            var emails = organization.Members.Where(m => m.ExternalId is not null).ToDictionary(m => m.ExternalId!, m => m.Email, StringComparer.Ordinal);
            return [.. organization.Groups
                .Select(g => $"{g.Name}: {string.Join(' ', organization.MemberExternalIdsOf(g).Select(id => emails.GetValueOrDefault(id, id)).Order(StringComparer.Ordinal))}")
                .Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>Requests for the members of some group (the bulk of a full read).</summary>
    public int GroupMemberRequests => Okta.Requests.Count(r => r.Path.StartsWith("/api/v1/groups/", StringComparison.Ordinal));

    public async ValueTask DisposeAsync()
    {
        await services.DisposeAsync();
        await Okta.DisposeAsync();
        await Bitwarden.DisposeAsync();
    }
}
