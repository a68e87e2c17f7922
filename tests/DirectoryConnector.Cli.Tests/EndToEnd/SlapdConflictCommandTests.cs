using DirectoryConnector.TestSupport.Bitwarden;
using DirectoryConnector.TestSupport.Ldap;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Cli.Tests.EndToEnd;

/// <summary>
/// bitwarden/server#4117 through a real LDAP source: a slapd user's mail changes to an address someone invited by
/// hand. The stand-in answers such an import with HTTP 500 as the real server does; <c>sync</c> (and <c>--dry-run</c>)
/// leaves out only that entry, names both members and the fix on stderr, and syncs the rest.
/// </summary>
public sealed class SlapdConflictCommandTests : IAsyncLifetime
{
    private const string Suffix = "dc=conflict,dc=test";
    private readonly SlapdSuffix suffix = new(Suffix, "conflict-admin-secret");
    private SlapdServer slapd = null!;
    private BitwardenStandIn standIn = null!;
    private string folder = null!;

    private string ManifestPath => Path.Combine(folder, "corp.yaml");

    private string StatePath => Path.Combine(folder, "state.json");

    public async Task InitializeAsync()
    {
        slapd = await SlapdServer.StartAsync([suffix]);
        standIn = await BitwardenStandIn.StartAsync();
        folder = Directory.CreateTempSubdirectory("dc-conflict-").FullName;
        await File.WriteAllTextAsync(ManifestPath, $$"""
            apiVersion: directoryconnector.dev/v1alpha1
            kind: DirectorySync
            metadata: {name: corp, namespace: bitwarden}
            spec:
              bitwarden:
                serverUrl: {{standIn.BaseUrl}}
                apiKeySecretRef: {name: bitwarden-org-api-key}
              source:
                ldap:
                  hostname: {{SlapdServer.Host}}
                  port: {{slapd.LdapPort}}
                  rootPath: {{Suffix}}
                  userPath: ou=People
                  groupPath: ou=Groups
                  username: {{suffix.AdminDn}}
                  passwordSecretRef: {name: bind, key: password}
              sync: {prune: true}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: bitwarden-org-api-key, namespace: bitwarden}
            stringData:
              client_id: "{{standIn.ClientId}}"
              client_secret: "{{standIn.ClientSecret}}"
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: bind, namespace: bitwarden}
            stringData: {password: "{{suffix.AdminPassword}}"}
            """);
        await slapd.AddLdifAsync(suffix, string.Join('\n',
            $"dn: ou=People,{Suffix}\nobjectClass: organizationalUnit\nou: People\n",
            $"dn: ou=Groups,{Suffix}\nobjectClass: organizationalUnit\nou: Groups\n",
            Person("Ann"), Person("Ben"),
            $"dn: cn=Dev,ou=Groups,{Suffix}\nobjectClass: groupOfNames\ncn: Dev\nmember: {Dn("Ann")}\nmember: {Dn("Ben")}\n"));
    }

    public async Task DisposeAsync()
    {
        Directory.Delete(folder, recursive: true);
        await standIn.DisposeAsync();
        await slapd.DisposeAsync();
    }

    private static string Dn(string cn) => $"cn={cn},ou=People,{Suffix}";

    private static string Person(string cn) => $"dn: {Dn(cn)}\nobjectClass: inetOrgPerson\ncn: {cn}\nsn: {cn}\nmail: {cn.ToLowerInvariant()}@conflict.test\n";

    private Task<CliResult> SyncAsync(params string[] extra) => CliRunner.RunAsync(["sync", "-f", ManifestPath, "--state", StatePath, .. extra]);

    [Fact]
    public async Task AMailChangedToAHandInvitedAddressIsLeftOutWithBothMembersAndTheFixWhileTheRestSyncs()
    {
        var first = await SyncAsync();
        first.ExitCode.Should().Be(0, first.ToString());
        var ann = standIn.Organization.Members.Single(m => m.Email == "ann@conflict.test");

        // Ann's address changes to one someone already invited by hand; Cat joins Dev.
        var handInvited = standIn.Organization.AddMember("ann.lee@conflict.test", status: StandInMemberStatus.Invited, hasMasterPassword: false);
        await slapd.ModifyAsync(suffix, string.Join('\n',
            $"dn: {Dn("Ann")}\nchangetype: modify\nreplace: mail\nmail: ann.lee@conflict.test\n-\n",
            $"dn: {Dn("Cat")}\nchangetype: add\nobjectClass: inetOrgPerson\ncn: Cat\nsn: Cat\nmail: cat@conflict.test\n",
            $"dn: cn=Dev,ou=Groups,{Suffix}\nchangetype: modify\nadd: member\nmember: {Dn("Cat")}\n-\n"));
        var posted = standIn.ImportRequests.Count;

        var dryRun = await SyncAsync("--dry-run");

        dryRun.ExitCode.Should().Be(0, dryRun.ToString());
        dryRun.Output.Should().Contain("would be added: cat@conflict.test\n").And.Contain("would be added to group Dev: cat@conflict.test\n")
            .And.Contain("Changes: 1 added, 1 added to groups; 1 left out (conflicts, see stderr).");
        dryRun.Error.Should().Contain($"left out {Dn("Ann")}: its external id belongs to the member ann@conflict.test, and ann.lee@conflict.test is a separate member")
            .And.Contain("bitwarden/server#4117");
        standIn.ImportRequests.Should().HaveCount(posted, "a dry run posts nothing");

        var synced = await SyncAsync();

        synced.ExitCode.Should().Be(0, synced.ToString());
        synced.Output.Should().Contain("added: cat@conflict.test\n").And.Contain("added to group Dev: cat@conflict.test\n")
            .And.Contain("Changes: 1 added, 1 added to groups; 1 left out (conflicts, see stderr).");
        synced.Error.Should().Contain($"left out {Dn("Ann")}: ").And.Contain("ann@conflict.test").And.Contain("ann.lee@conflict.test")
            .And.Contain("Remove the member that is not in use in the Admin Console");
        standIn.ImportRequests.Should().OnlyContain(r => r.StatusCode == 200, "the entry the server fails on with HTTP 500 was never sent");
        standIn.Organization.Members.Select(m => m.Email).Should().BeEquivalentTo("ann@conflict.test", "ann.lee@conflict.test", "ben@conflict.test", "cat@conflict.test");
        standIn.Organization.Members.Single(m => m.Id == handInvited.Id).ExternalId.Should().BeNull();

        // The fix the message names; the next run links the hand invite to Ann's entry.
        standIn.Organization.RemoveMember(ann.Id);
        var fixedRun = await SyncAsync();
        fixedRun.ExitCode.Should().Be(0, fixedRun.ToString());
        fixedRun.Error.Should().NotContain("left out");
        fixedRun.Output.Should().Contain("linked: ann.lee@conflict.test\n");
        standIn.Organization.Members.Single(m => m.Email == "ann.lee@conflict.test").Should().Match<StandInMember>(m => m.Id == handInvited.Id && m.ExternalId == Dn("Ann"));
    }
}
