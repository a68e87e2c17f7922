using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Http;
using DirectoryConnector.Engine.Sources.EntraId;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.TestSupport.Bitwarden;
using Microsoft.Extensions.DependencyInjection;

namespace DirectoryConnector.Engine.Tests.Sources.EntraId;

/// <summary>
/// A fresh Entra ID stand-in tenant and Bitwarden stand-in organization per test, synced through the whole engine:
/// spec.source.entraId (and spec.filters) read by the registered provider with the real Graph SDK and Azure.Identity,
/// the plan posted to the Bitwarden stand-in, the sync state (and so the delta cursor) kept between syncs as the
/// operator's status keeps it. Tests assert the organization the administrator would see.
/// </summary>
public abstract class EntraIdOrganizationTest : EntraIdStandInTest
{
    private readonly InMemoryReferences references = new();
    private ServiceProvider services = null!;

    protected BitwardenStandIn Bitwarden { get; private set; } = null!;

    /// <summary>The state the last sync left (cursor, hashes, last full read), as status keeps it.</summary>
    protected SyncState? State { get; set; }

    /// <summary>The engine's clock (override to let fullSyncInterval elapse).</summary>
    protected virtual TimeProvider Time => TimeProvider.System;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Bitwarden = await BitwardenStandIn.StartAsync();
        references.Secrets[("bitwarden-org-api-key", "client_id")] = Bitwarden.ClientId;
        references.Secrets[("bitwarden-org-api-key", "client_secret")] = Bitwarden.ClientSecret;
        references.Secrets[("entra-app", "client-secret")] = StandIn.ClientSecret;
        references.Secrets[("entra-ca", "ca.crt")] = StandIn.CaPem;
        services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(Time)
            .AddDirectoryConnectorEngine()
            .Configure<DirectoryHttpClientOptions>(DirectoryHttpClientFactory.NameOf<EntraIdHttpClient>(), o =>
            {
                o.BaseRetryDelay = TimeSpan.FromMilliseconds(10);
                o.MaxRetryDelay = TimeSpan.FromMilliseconds(50);
            })
            .BuildServiceProvider();
    }

    public override async Task DisposeAsync()
    {
        await services.DisposeAsync();
        await Bitwarden.DisposeAsync();
        await base.DisposeAsync();
    }

    /// <summary>A DirectorySync spec reading the stand-in tenant (client secret, test CA) into the stand-in organization.</summary>
    protected DirectorySyncSpec SyncSpec(string? users = null, string? groups = null, bool includeGuests = false, Action<SyncOptionsSpec>? sync = null)
    {
        var spec = new DirectorySyncSpec
        {
            Bitwarden = new BitwardenSpec { ServerUrl = Bitwarden.BaseUrl.ToString(), ApiKeySecretRef = new ApiKeySecretRef { Name = "bitwarden-org-api-key" } },
            Source = new SourceSpec { EntraId = EntraIdTestKit.Spec(StandIn, includeGuests) },
            Filters = new FiltersSpec { Users = users, Groups = groups },
        };
        sync?.Invoke(spec.Sync);
        return spec;
    }

    /// <summary>One sync as the operator runs it: validate, build the source through its provider, read, plan, import.</summary>
    protected async Task<SyncOutcome> SyncAsync(DirectorySyncSpec? spec = null)
    {
        spec ??= SyncSpec();
        var check = services.GetRequiredService<SpecValidator>().Check(spec);
        var source = await check.CreateSourceAsync(references, CancellationToken.None);
        var outcome = await services.GetRequiredService<SyncEngine>().SyncAsync(check, source, references, State, new SyncRunOptions(), CancellationToken.None);
        State = outcome.State;
        return outcome;
    }

    /// <summary>The organization as its administrator sees it: member emails, then "Group: member local parts".</summary>
    protected string[] Organization() => Bitwarden.Organization.Summary();
}
