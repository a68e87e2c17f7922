using DirectoryConnector.TestSupport;
using DirectoryConnector.Engine.Bitwarden;
using DirectoryConnector.Engine.Bitwarden.Organization;
using DirectoryConnector.Engine.Http;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.TestSupport.Bitwarden;
using Microsoft.Extensions.DependencyInjection;

namespace DirectoryConnector.Engine.Tests.Prune;

/// <summary>One organization on the Bitwarden stand-in and the real engine; each DirectorySync keeps its own state
/// between syncs the way the operator keeps status.</summary>
internal sealed class PruneHarness : IAsyncDisposable
{
    private readonly ServiceProvider services;
    private readonly Dictionary<string, SyncState?> states = [];

    private PruneHarness(BitwardenStandIn standIn, ServiceProvider services)
    {
        StandIn = standIn;
        this.services = services;
    }

    public BitwardenStandIn StandIn { get; }

    public StandInOrganization Organization => StandIn.Organization;

    public static async Task<PruneHarness> StartAsync(BitwardenStandInOptions? options = null)
    {
        var standIn = await BitwardenStandIn.StartAsync(options);
        var services = new ServiceCollection()
            .AddDirectoryConnectorEngine()
            .Configure<BitwardenClientOptions>(o => o.MaxAttempts = 1)
            .Configure<DirectoryHttpClientOptions>(DirectoryHttpClientFactory.NameOf<BitwardenOrganizationClient>(), o => o.MaxAttempts = 1)
            .BuildServiceProvider();
        return new PruneHarness(standIn, services);
    }

    public DirectorySyncSpec Spec(IDirectorySourceSpec source, bool prune = true, string? maxDeletions = "100%", Action<SyncOptionsSpec>? sync = null)
    {
        var spec = new DirectorySyncSpec
        {
            Bitwarden = new BitwardenSpec { ServerUrl = StandIn.BaseUrl.ToString(), ApiKeySecretRef = new ApiKeySecretRef { Name = "api-key" } },
            Source = source.Source,
            Sync = new SyncOptionsSpec { Prune = prune, MaxDeletions = maxDeletions },
        };
        sync?.Invoke(spec.Sync);
        return spec;
    }

    public SyncState? State(string name) => states.GetValueOrDefault(name);

    /// <summary>Hands the DirectorySync <paramref name="name"/> a state, as the status carries it when its spec.bitwarden changes.</summary>
    public void SetState(string name, SyncState? state) => states[name] = state;

    /// <summary>Syncs as the DirectorySync <paramref name="name"/>, keeping its state on success. As the operator does
    /// for DirectorySyncs of one namespace and API key, the others' managed sets are handed in.</summary>
    public async Task<SyncOutcome> SyncAsync(string name, DirectorySyncSpec spec, IDirectorySource source, string? approve = null, bool dryRun = false)
    {
        var engine = services.GetRequiredService<SyncEngine>();
        var outcome = await engine.SyncAsync(EngineServices.Validator.Check(spec), source, new ApiKey(StandIn), State(name), new SyncRunOptions(DryRun: dryRun, ApprovedDeletions: approve, ManagedByOthers: Others(name)), CancellationToken.None);
        if (!dryRun)
        {
            states[name] = outcome.State;
        }

        return outcome;
    }

    /// <summary>A failed sync, as the operator sees it; the state is kept as it was.</summary>
    public async Task<SyncFailedException> FailAsync(string name, DirectorySyncSpec spec, IDirectorySource source, string? approve = null)
    {
        var engine = services.GetRequiredService<SyncEngine>();
        try
        {
            await engine.SyncAsync(EngineServices.Validator.Check(spec), source, new ApiKey(StandIn), State(name), new SyncRunOptions(ApprovedDeletions: approve, ManagedByOthers: Others(name)), CancellationToken.None);
        }
        catch (SyncFailedException failure)
        {
            return failure;
        }

        throw new InvalidOperationException("The sync succeeded.");
    }

    private ManagedByOthers Others(string name) => ManagedByOthers.From(states.Where(s => s.Key != name).Select(s => s.Value));

    /// <summary>Members (not the founding owner) as "email externalId status", sorted.</summary>
    public string[] Members() =>
        [.. Organization.Members.Select(m => $"{m.Email} {m.ExternalId ?? "-"} {m.Status}").Order(StringComparer.Ordinal)];

    public string[] MemberEmails() => [.. Organization.Members.Select(m => m.Email).Order(StringComparer.Ordinal)];

    /// <summary>Groups as "name: member emails", sorted.</summary>
    public string[] Groups()
    {
        var byId = Organization.AllMembers.ToDictionary(m => m.Id);
        return [.. Organization.Groups.Select(g => $"{g.Name}: {string.Join(' ', g.MemberIds.Select(id => byId[id].Email).Order(StringComparer.Ordinal))}")
            .Order(StringComparer.Ordinal)];
    }

    public async ValueTask DisposeAsync()
    {
        await services.DisposeAsync();
        await StandIn.DisposeAsync();
    }

    private sealed class ApiKey(BitwardenStandIn standIn) : IReferenceResolver
    {
        public bool AllowsLocalFiles => true;

        public Task<string> GetSecretValueAsync(string secretName, string key, string keyField, CancellationToken cancellationToken)
            => Task.FromResult(key == "client_id" ? standIn.ClientId : standIn.ClientSecret);

        public Task<string> GetConfigMapValueAsync(string configMapName, string key, string keyField, CancellationToken cancellationToken)
            => throw new SyncFailedException(SyncFailureReason.SecretNotFound, $"ConfigMap {configMapName} not found", retryable: false);
    }
}

/// <summary>A source spec the harness can put into a DirectorySyncSpec.</summary>
internal interface IDirectorySourceSpec
{
    SourceSpec Source { get; }
}
