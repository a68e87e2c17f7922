using DirectoryConnector.TestSupport;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.File;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.TestSupport.Bitwarden;
using DirectoryConnector.TestSupport.EntraId;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static DirectoryConnector.Engine.Tests.Sources.EntraId.EntraIdTestKit;

namespace DirectoryConnector.Engine.Tests.Sources.EntraId;

/// <summary>The engine reading the Entra ID stand-in through the real SDK and posting to the Bitwarden stand-in:
/// after each change set, the organization equals the directory.</summary>
public sealed class EntraIdSyncTests : EntraIdStandInTest
{
    private static readonly string LongName = new('x', 120);
    private readonly InMemoryReferences references = new();
    private BitwardenStandIn bitwarden = null!;
    private IDirectorySource source = null!;
    private SyncState? state;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        StandIn.DeltaPageSize = 3;
        bitwarden = await BitwardenStandIn.StartAsync();
        references.Secrets[("bitwarden-org-api-key", "client_id")] = bitwarden.ClientId;
        references.Secrets[("bitwarden-org-api-key", "client_secret")] = bitwarden.ClientSecret;
        foreach (var name in new[] { "alice", "bob", "carol" })
        {
            Tenant.AddUser(User(name));
        }

        // A diamond: Everyone reaches Platform directly and through Engineering.
        Tenant.AddGroup(IdOf("platform"), "Platform", IdOf("bob"), IdOf("carol"));
        Tenant.AddGroup(IdOf("eng"), "Engineering", IdOf("alice"), IdOf("platform"));
        Tenant.AddGroup(IdOf("everyone"), "Everyone", IdOf("eng"), IdOf("platform"));
        Tenant.AddGroup(IdOf("long"), LongName, IdOf("alice"));
        source = Source(StandIn);
    }

    public override async Task DisposeAsync()
    {
        await bitwarden.DisposeAsync();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task After_each_change_set_the_organization_equals_the_directory()
    {
        var first = await SyncAsync();
        first.Plan!.Skipped.Should().ContainSingle(s => s.Entry == LongName && s.Kind == SkippedEntryKind.Group);
        Organization().Should().Equal(
            "alice@contoso.com",
            "bob@contoso.com",
            "carol@contoso.com",
            "Engineering: alice bob carol",
            "Everyone: alice bob carol",
            "Platform: bob carol");

        // add
        Tenant.AddUser(User("dave"));
        Tenant.AddMember(IdOf("platform"), IdOf("dave"));
        await SyncAsync();
        Organization().Should().Contain(["dave@contoso.com", "Platform: bob carol dave", "Everyone: alice bob carol dave"]);

        // disable (removeDisabled is on)
        Tenant.UpdateUser(IdOf("carol"), u => u with { AccountEnabled = false });
        await SyncAsync();
        Organization().Should().NotContain("carol@contoso.com").And.Contain("Platform: bob dave");

        // move alice from Engineering to Platform, rename Platform
        Tenant.RemoveMember(IdOf("eng"), IdOf("alice"));
        Tenant.AddMember(IdOf("platform"), IdOf("alice"));
        Tenant.RenameGroup(IdOf("platform"), "Platform Team");
        await SyncAsync();
        Organization().Should().Contain(["Platform Team: alice bob dave", "Engineering: alice bob dave"]);

        // change mail: the member is the same (Bitwarden matches it by external id, the object id), not a second invite
        Tenant.UpdateUser(IdOf("dave"), u => u with { Mail = "david@contoso.com" });
        var changed = await SyncAsync();
        changed.Requests.SelectMany(r => r.Members).Should().Contain(m => m.Email == "david@contoso.com" && m.ExternalId == IdOf("dave"));
        bitwarden.Organization.Members.Should().ContainSingle(m => m.ExternalId == IdOf("dave"));
        Organization().Should().NotContain("david@contoso.com");
    }

    private async Task<SyncOutcome> SyncAsync()
    {
        var spec = new DirectorySyncSpec
        {
            Bitwarden = new BitwardenSpec { ServerUrl = bitwarden.BaseUrl.ToString(), ApiKeySecretRef = new ApiKeySecretRef { Name = "bitwarden-org-api-key" } },
            Source = new SourceSpec { File = new FileSourceSpec { Path = "unused" } },
        };
        spec.Sync.RemoveDisabled = true;
        var outcome = await Services.GetRequiredService<SyncEngine>().SyncAsync(EngineServices.Validator.Check(spec), source, references, state, new SyncRunOptions(), CancellationToken.None);
        state = outcome.State;
        return outcome;
    }

    private string[] Organization() => bitwarden.Organization.Summary();
}
