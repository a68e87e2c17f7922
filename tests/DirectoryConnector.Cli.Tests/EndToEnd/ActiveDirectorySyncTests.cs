// Test names are sentences.

using DirectoryConnector.TestSupport.Bitwarden;
using DirectoryConnector.TestSupport.Ldap;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Cli.Tests.EndToEnd;

/// <summary>
/// Issue 15: a whole Active Directory → Bitwarden sync through the `sync` verb, against a real Samba AD DC that
/// requires strong auth (its default) read over LDAPS with its CA from a Secret, into the Bitwarden stand-in.
/// objectGUID (text form) is every external id; bob is disabled and removeDisabled is on; Outer nests Inner; Domain
/// Users' members come from primaryGroupID. After each sync the organization must equal the directory.
/// </summary>
public sealed class ActiveDirectorySyncTests(WritableSambaFixture fixture) : IClassFixture<WritableSambaFixture>, IAsyncLifetime
{
    private const string Corp = SambaDomainController.CorpOu;
    private BitwardenStandIn standIn = null!;
    private string folder = null!;

    private SambaDomainController Dc => fixture.Controller;

    private string ManifestPath => Path.Combine(folder, "corp-ad.yaml");

    private string StatePath => Path.Combine(folder, "state.json");

    public async Task InitializeAsync()
    {
        standIn = await BitwardenStandIn.StartAsync();
        folder = Directory.CreateTempSubdirectory("dc-cli-ad-").FullName;
        var ca = string.Join("\n", Dc.CaPem.Trim().Split('\n').Select(line => "    " + line.TrimEnd('\r')));
        await File.WriteAllTextAsync(ManifestPath, $$"""
            apiVersion: directoryconnector.dev/v1alpha1
            kind: DirectorySync
            metadata: {name: corp-ad, namespace: bitwarden}
            spec:
              bitwarden:
                serverUrl: {{standIn.BaseUrl}}
                apiKeySecretRef: {name: bitwarden-org-api-key}
              source:
                ldap:
                  hostname: {{Dc.Address}}
                  encryption: ldaps
                  caSecretRef: {name: corp-ad-ca, key: ca.crt}
                  activeDirectory: true
                  rootPath: {{SambaDomainController.DomainDn}}
                  userPath: OU=Corp
                  username: {{SambaDomainController.AdministratorUpn}}
                  passwordSecretRef: {name: corp-ad-bind, key: password}
              filters:
                groups: "(|(cn=Outer)(cn=Inner)(cn=Domain Users))"
              sync: {users: true, groups: true, removeDisabled: true}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: bitwarden-org-api-key, namespace: bitwarden}
            stringData: {client_id: "{{standIn.ClientId}}", client_secret: "{{standIn.ClientSecret}}"}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: corp-ad-bind, namespace: bitwarden}
            stringData: {password: "{{SambaDomainController.AdministratorPassword}}"}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: corp-ad-ca, namespace: bitwarden}
            stringData:
              ca.crt: |
            {{ca}}

            """);
    }

    public async Task DisposeAsync()
    {
        Directory.Delete(folder, recursive: true);
        await standIn.DisposeAsync();
    }

    private Task<CliResult> SyncAsync() => CliRunner.RunAsync("sync", "-f", ManifestPath, "--state", StatePath);

    private string Guid(string samAccountName) => Dc.ObjectGuids[samAccountName];

    /// <summary>The organization as (email, external id) members and (name, external id) → member external ids groups.</summary>
    private void OrganizationShouldBe((string Email, string Sam)[] members, params (string Group, string[] Members)[] groups)
    {
        var organization = standIn.Organization;
        organization.Members.Select(m => (m.Email, m.ExternalId)).Should().BeEquivalentTo(members.Select(m => (m.Email, (string?)Guid(m.Sam))));
        organization.Groups.Select(g => (g.Name, g.ExternalId)).Should().BeEquivalentTo(groups.Select(g => (g.Group, (string?)Guid(g.Group))));
        foreach (var (group, groupMembers) in groups)
        {
            organization.MemberExternalIdsOf(organization.GroupByExternalId(Guid(group))!).Should()
                .BeEquivalentTo(groupMembers.Select(Guid), $"{group}'s members, nested ones included, as the directory lists them");
        }
    }

    [Fact]
    public async Task Active_directory_over_ldaps_with_strong_auth_syncs_the_organization_to_the_directory_and_a_second_sync_posts_nothing()
    {
        var first = await SyncAsync();

        first.ExitCode.Should().Be(0, first.ToString());
        // bob is disabled (removeDisabled), dave has no mail, eve is a tombstone, WS01$ a computer, Connie a contact.
        OrganizationShouldBe(
            [("alice@test.local", "alice"), ("carol@test.local", "carol")],
            ("Outer", ["alice", "carol"]), ("Inner", ["carol"]), ("Domain Users", ["alice", "carol"]));
        first.Error.Should().Contain("skipped user CN=Dave Davis,OU=Corp,DC=test,DC=local").And.NotContain(SambaDomainController.AdministratorPassword);
        standIn.ImportRequests.Should().ContainSingle();

        var second = await SyncAsync();

        second.ExitCode.Should().Be(0, second.ToString());
        second.Output.Should().StartWith("Up to date: nothing changed since the last sync, nothing posted.");
        standIn.ImportRequests.Should().ContainSingle("nothing changed in the directory");

        // carol is disabled and bob enabled in the directory: removeDisabled takes carol out of the organization and its groups.
        await Dc.ModifyAsync(
            $"dn: CN=Carol Clark,{Corp}\nchangetype: modify\nreplace: userAccountControl\nuserAccountControl: 546\n-\n\n"
            + $"dn: CN=Bob Brown,{Corp}\nchangetype: modify\nreplace: userAccountControl\nuserAccountControl: 544\n-\n");
        var third = await SyncAsync();

        third.ExitCode.Should().Be(0, third.ToString());
        OrganizationShouldBe(
            [("alice@test.local", "alice"), ("bob@test.local", "bob")],
            ("Outer", ["alice", "bob"]), ("Inner", ["bob"]), ("Domain Users", ["alice", "bob"]));
        third.Output.Should().Contain("added: bob@test.local").And.Contain("removed: carol@test.local");

        var fourth = await SyncAsync();

        fourth.ExitCode.Should().Be(0, fourth.ToString());
        fourth.Output.Should().StartWith("Up to date: nothing changed since the last sync, nothing posted.");
        standIn.ImportRequests.Should().HaveCount(2, "only the third sync had something to post");
    }
}
