using System.Text;
using DirectoryConnector.TestSupport.Bitwarden;
using DirectoryConnector.TestSupport.EntraId;
using DirectoryConnector.TestSupport.GoogleWorkspace;
using DirectoryConnector.TestSupport.Okta;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Cli.Tests.EndToEnd;

/// <summary>`test` and `sync` through the CLI's command entry with the SaaS sources: a DirectorySync manifest whose
/// spec.source points at a loopback stand-in (Entra ID/Graph, Google Workspace, Okta), its Secrets (credential and the
/// stand-in's CA for caSecretRef) and the API-key Secret, posting to the Bitwarden stand-in. After each sync the
/// organization equals the directory.</summary>
public sealed class SaasSourceCommandTests : IAsyncLifetime
{
    private readonly string folder = Directory.CreateTempSubdirectory("dc-cli-saas-").FullName;
    private BitwardenStandIn bitwarden = null!;

    public async Task InitializeAsync() => bitwarden = await BitwardenStandIn.StartAsync();

    public async Task DisposeAsync()
    {
        await bitwarden.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    private string ManifestPath => Path.Combine(folder, "directorysync.yaml");

    private string StatePath => Path.Combine(folder, "state.json");

    [Fact]
    public async Task Entra_id_test_and_sync_then_a_run_with_nothing_changed_makes_only_the_delta_calls()
    {
        await using var entra = await EntraIdStandIn.StartAsync();
        var (alice, bob, carol) = (Guid.NewGuid().ToString(), Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
        var engineering = Guid.NewGuid().ToString();
        entra.Tenant.AddUser(new EntraUser(alice, "alice@contoso.com", "alice@contoso.com"));
        entra.Tenant.AddUser(new EntraUser(bob, "bob@contoso.com", "bob@contoso.com", AccountEnabled: false));
        entra.Tenant.AddUser(new EntraUser(Guid.NewGuid().ToString(), "pat_partner.example#EXT#@contoso.onmicrosoft.com", "pat@partner.example", UserType: "Guest"));
        entra.Tenant.AddGroup(engineering, "Engineering", alice, bob);
        WriteManifest($"""
            entraId:
              tenant: {entra.TenantId}
              applicationId: {entra.ApplicationId}
              clientSecretRef: {"{"}name: entra-app, key: client-secret{"}"}
              authorityHost: {entra.BaseUrl}
              graphUrl: {entra.BaseUrl}
              caSecretRef: {"{"}name: entra-ca, key: ca.crt{"}"}
            """, ("entra-app", "client-secret", entra.ClientSecret), ("entra-ca", "ca.crt", entra.CaPem));

        var test = await CliRunner.RunAsync("test", "-f", ManifestPath);

        test.ExitCode.Should().Be(0, test.ToString());
        test.Output.Should().Contain("alice@contoso.com").And.Contain("bob@contoso.com").And.Contain("pat_partner.example#EXT#@contoso.onmicrosoft.com")
            .And.Contain("guest").And.Contain("2 members (1 enabled, 1 disabled, 0 deleted), 1 group, 1 skipped");
        bitwarden.ImportRequests.Should().BeEmpty("test never calls Bitwarden");

        var first = await SyncAsync();
        first.ExitCode.Should().Be(0, first.ToString());
        Organization().Should().Equal("alice@contoso.com", "bob@contoso.com", "Engineering: alice@contoso.com bob@contoso.com");

        var graphBefore = entra.GraphRequests.Count;
        var second = await SyncAsync();
        second.ExitCode.Should().Be(0, second.ToString());
        second.Output.Should().StartWith("Up to date: nothing changed since the last sync, nothing posted. The source reports no change");
        entra.GraphRequests.Skip(graphBefore).Should().HaveCount(2).And.OnlyContain(r => r.Body.Contains("$deltatoken=", StringComparison.Ordinal));
        bitwarden.ImportRequests.Should().ContainSingle();

        entra.Tenant.AddUser(new EntraUser(carol, "carol@contoso.com", "carol@contoso.com"));
        entra.Tenant.AddMember(engineering, carol);
        entra.Tenant.DeleteUser(alice);
        var third = await SyncAsync();
        third.ExitCode.Should().Be(0, third.ToString());
        third.Output.Should().Contain("added: carol@contoso.com").And.Contain("full read: the directory changed");
        Organization().Should().Equal("bob@contoso.com", "carol@contoso.com", "Engineering: bob@contoso.com carol@contoso.com");
    }

    [Fact]
    public async Task Google_workspace_test_and_sync_then_a_change_set()
    {
        await using var google = await GoogleWorkspaceStandIn.StartAsync();
        google.MaxPageSize = 2;
        google.AddUser("admin@example.com", isAdmin: true);
        var alice = google.AddUser("alice@example.com");
        var bob = google.AddUser("bob@example.com");
        var carol = google.AddUser("carol@example.com");
        var engineering = google.AddGroup("Engineering");
        google.Change(() => engineering.Members.AddRange([GoogleWorkspaceStandIn.UserMember(alice), GoogleWorkspaceStandIn.UserMember(bob)]));
        WriteManifest($"""
            googleWorkspace:
              adminUser: admin@example.com
              serviceAccountKeySecretRef: {"{"}name: google-sa, key: key.json{"}"}
              tokenUrl: {google.TokenUrl}
              apiUrl: {google.BaseUrl}
              caSecretRef: {"{"}name: google-ca, key: ca.crt{"}"}
            """, ("google-sa", "key.json", google.ServiceAccount.ToJsonKey()), ("google-ca", "ca.crt", google.CaPem));

        var test = await CliRunner.RunAsync("test", "-f", ManifestPath);

        test.ExitCode.Should().Be(0, test.ToString());
        test.Output.Should().Contain("4 members (4 enabled, 0 disabled, 0 deleted), 1 group, 0 skipped");
        bitwarden.ImportRequests.Should().BeEmpty();

        (await SyncAsync()).ExitCode.Should().Be(0);
        Organization().Should().Equal("admin@example.com", "alice@example.com", "bob@example.com", "carol@example.com", "Engineering: alice@example.com bob@example.com");
        var second = await SyncAsync();
        second.Output.Should().StartWith("Up to date: nothing changed since the last sync, nothing posted.");

        google.Change(() =>
        {
            engineering.Name = "Platform Engineering";
            engineering.Members.RemoveAll(m => m.Id == alice.Id);
            engineering.Members.Add(GoogleWorkspaceStandIn.UserMember(carol));
        });
        var third = await SyncAsync();
        third.ExitCode.Should().Be(0, third.ToString());
        Organization().Should().Equal("admin@example.com", "alice@example.com", "bob@example.com", "carol@example.com", "Platform Engineering: bob@example.com carol@example.com");
    }

    [Fact]
    public async Task Okta_test_and_sync_then_a_run_with_nothing_changed_reads_no_group_members()
    {
        await using var okta = await OktaStandIn.StartAsync(new OktaStandInOptions { MaxPageSize = 2 });
        var alice = okta.Directory.AddUser("alice@example.com");
        var bob = okta.Directory.AddUser("bob@example.com");
        var carol = okta.Directory.AddUser("carol@example.com");
        okta.Directory.Suspend(carol);
        okta.Directory.AddUser("dave@example.com", status: "STAGED");
        var engineering = okta.Directory.AddGroup("Engineering", "OKTA_GROUP", alice, bob);
        WriteManifest($"""
            okta:
              orgUrl: {okta.OrgUrl}
              tokenSecretRef: {"{"}name: okta-api, key: token{"}"}
              caSecretRef: {"{"}name: okta-ca, key: ca.crt{"}"}
            """, ("okta-api", "token", okta.ApiToken), ("okta-ca", "ca.crt", okta.CaPem));

        var test = await CliRunner.RunAsync("test", "-f", ManifestPath);

        test.ExitCode.Should().Be(0, test.ToString());
        test.Output.Should().Contain("3 members (2 enabled, 1 disabled, 0 deleted), 1 group, 1 skipped").And.Contain("STAGED");
        bitwarden.ImportRequests.Should().BeEmpty();

        (await SyncAsync()).ExitCode.Should().Be(0);
        Organization().Should().Equal("alice@example.com", "bob@example.com", "carol@example.com", "Engineering: alice@example.com bob@example.com");

        var memberReads = okta.Requests.Count(r => r.Path.StartsWith("/api/v1/groups/", StringComparison.Ordinal));
        var second = await SyncAsync();
        second.Output.Should().StartWith("Up to date: nothing changed since the last sync, nothing posted. The source reports no change");
        okta.Requests.Count(r => r.Path.StartsWith("/api/v1/groups/", StringComparison.Ordinal)).Should().Be(memberReads);
        bitwarden.ImportRequests.Should().ContainSingle();

        okta.Directory.RemoveMember(engineering, alice);
        okta.Directory.Deactivate(bob);
        var third = await SyncAsync();
        third.ExitCode.Should().Be(0, third.ToString());
        Organization().Should().Equal("alice@example.com", "carol@example.com", "Engineering:");
    }

    private Task<CliResult> SyncAsync() => CliRunner.RunAsync("sync", "-f", ManifestPath, "--state", StatePath);

    /// <summary>Writes the DirectorySync with <paramref name="source"/> under spec.source, then its Secrets.</summary>
    private void WriteManifest(string source, params (string Secret, string Key, string Value)[] secrets)
    {
        var text = new StringBuilder()
            .Append("apiVersion: directoryconnector.dev/v1alpha1\nkind: DirectorySync\nmetadata: {name: saas, namespace: bitwarden}\nspec:\n")
            .Append("  bitwarden:\n    serverUrl: ").Append(bitwarden.BaseUrl).Append("\n    apiKeySecretRef: {name: bitwarden-org-api-key}\n")
            .Append("  source:\n").Append(Indent(source, 4)).Append('\n');
        foreach (var secret in secrets.Append(("bitwarden-org-api-key", "client_id", bitwarden.ClientId)).Append(("bitwarden-org-api-key", "client_secret", bitwarden.ClientSecret))
                     .GroupBy(s => s.Item1))
        {
            text.Append("---\napiVersion: v1\nkind: Secret\nmetadata: {name: ").Append(secret.Key).Append(", namespace: bitwarden}\nstringData:\n");
            foreach (var (_, key, value) in secret)
            {
                text.Append("  ").Append(key).Append(": |-\n").Append(Indent(value, 4)).Append('\n');
            }
        }

        File.WriteAllText(ManifestPath, text.ToString());
    }

    private static string Indent(string text, int spaces) =>
        string.Join('\n', text.Trim().Split('\n').Select(line => new string(' ', spaces) + line.TrimEnd('\r')));

    /// <summary>Member emails (sorted), then "group: member emails" per group.</summary>
    private string[] Organization()
    {
        var organization = bitwarden.Organization;
        var emails = organization.Members.Where(m => m.ExternalId is not null).ToDictionary(m => m.ExternalId!, m => m.Email, StringComparer.Ordinal);
        return
        [
            .. organization.Members.Select(m => m.Email).Order(StringComparer.Ordinal),
            .. organization.Groups.Select(g => $"{g.Name}: {string.Join(' ', organization.MemberExternalIdsOf(g).Select(id => emails[id]).Order(StringComparer.Ordinal))}".TrimEnd())
                .Order(StringComparer.Ordinal),
        ];
    }
}
