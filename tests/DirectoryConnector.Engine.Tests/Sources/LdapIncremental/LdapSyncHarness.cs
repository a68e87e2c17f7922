using DirectoryConnector.TestSupport;
using DirectoryConnector.Engine.Bitwarden;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.Ldap;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.Engine.Tests.Bitwarden;
using DirectoryConnector.TestSupport.Bitwarden;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;

namespace DirectoryConnector.Engine.Tests.Sources.LdapIncremental;

/// <summary>The engine with its registered providers reading a real LDAP server and posting to the Bitwarden
/// stand-in, keeping the sync state between runs as the operator's status does.</summary>
internal sealed class LdapSyncHarness : IAsyncDisposable
{
    private readonly ServiceProvider services;
    private readonly LdapSourceSpec source;

    private LdapSyncHarness(BitwardenStandIn bitwarden, LdapSourceSpec source, string password, string? caPem)
    {
        Bitwarden = bitwarden;
        this.source = source;
        source.PasswordSecretRef = new SecretKeyRef { Name = "ldap-bind", Key = "password" };
        References.Secrets[("bitwarden-org-api-key", "client_id")] = bitwarden.ClientId;
        References.Secrets[("bitwarden-org-api-key", "client_secret")] = bitwarden.ClientSecret;
        References.Secrets[("ldap-bind", "password")] = password;
        if (caPem is not null)
        {
            source.CaSecretRef = new SecretKeyRef { Name = "ldap-ca", Key = "ca.crt" };
            References.Secrets[("ldap-ca", "ca.crt")] = caPem;
        }
        services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(TimeProvider.System)
            .AddDirectoryConnectorEngine()
            .BuildServiceProvider();
    }

    public BitwardenStandIn Bitwarden { get; }

    public InMemoryReferences References { get; } = new();

    public SyncState? State { get; set; }

    /// <param name="caPem">The PEM CA that signed the server's certificate, given to the source through caSecretRef.</param>
    public static async Task<LdapSyncHarness> StartAsync(LdapSourceSpec source, string password, string? caPem = null)
        => new(await BitwardenStandIn.StartAsync(), source, password, caPem);

    public DirectorySyncSpec Spec() => new()
    {
        Bitwarden = new BitwardenSpec { ServerUrl = Bitwarden.BaseUrl.ToString(), ApiKeySecretRef = new ApiKeySecretRef { Name = "bitwarden-org-api-key" } },
        Source = new SourceSpec { Ldap = source },
    };

    public async Task<SyncOutcome> SyncAsync(SyncRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        var spec = Spec();
        var directory = await services.GetRequiredService<SpecValidator>().Check(spec).CreateSourceAsync(References, cancellationToken);
        var outcome = await services.GetRequiredService<SyncEngine>().SyncAsync(EngineServices.Validator.Check(spec), directory, References, State, options ?? new SyncRunOptions(), cancellationToken);
        State = outcome.State;
        return outcome;
    }

    /// <summary>Syncs and expects the source's cursor to prove nothing changed: nothing read in full, nothing posted.</summary>
    public async Task<SyncOutcome> ExpectUnchangedAsync()
    {
        var imports = Imports;
        var outcome = await SyncAsync();
        outcome.SourceUnchanged.Should().BeTrue($"nothing changed in the directory since the last sync (full read reason: {outcome.FullReadReason})");
        outcome.Result.Should().Be(SyncResult.UpToDate);
        Imports.Should().Be(imports, "a sync with nothing changed posts nothing");
        return outcome;
    }

    /// <summary>Syncs and expects a full read that says why the cursor did not prove the directory unchanged.</summary>
    public async Task<SyncOutcome> ExpectFullReadAsync(string because)
    {
        var outcome = await SyncAsync();
        outcome.SourceUnchanged.Should().BeFalse(because);
        outcome.FullReadReason.Should().NotBeNullOrWhiteSpace("a read that had a cursor says why it read in full");
        return outcome;
    }

    /// <summary>Import requests the stand-in received so far.</summary>
    public int Imports => Bitwarden.ImportRequests.Count;

    /// <summary>The organization's members as "email status", sorted.</summary>
    public string[] Members => BitwardenTestKit.MemberSummary(Bitwarden);

    /// <summary>The organization's groups as "name: member emails", sorted.</summary>
    public string[] Groups => BitwardenTestKit.GroupEmailSummary(Bitwarden);

    public async ValueTask DisposeAsync()
    {
        await services.DisposeAsync();
        await Bitwarden.DisposeAsync();
    }
}
