using System.Text;
using System.Text.Json;
using DirectoryConnector.TestSupport.BadInput;
using DirectoryConnector.TestSupport.Bitwarden;
using DirectoryConnector.TestSupport.Ldap;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Cli.Tests.EndToEnd;

/// <summary>
/// The Sync cases of the bad-input catalog (<see cref="BadInputCatalog"/>): `directory-connector sync` with
/// `prune: true` into an organization that already has members and groups (some synced by this DirectorySync, some
/// added by hand or by another tool). A first sync succeeds; then one thing goes bad (a Secret, the spec, an entry of the
/// directory, the directory server's password) and the next sync names the field or entry and the fix, and every
/// member and group of the organization is still there exactly as before.
/// </summary>
public sealed class BadInputSyncTests(SlapdFixture slapd) : IClassFixture<SlapdFixture>, IAsyncLifetime
{
    private const string WrongSecret = "wrong-client-secret-SENTINEL-51c0";
    private readonly string folder = Directory.CreateTempSubdirectory("dc-bad-sync-").FullName;
    private BitwardenStandIn bitwarden = null!;

    public async Task InitializeAsync()
    {
        bitwarden = await BitwardenStandIn.StartAsync();
        var organization = bitwarden.Organization;
        var admin = organization.AddMember("admin@corp.example", type: StandInMemberType.Admin);
        var legacy = organization.AddMember("legacy@corp.example", externalId: "legacy-tool-1");
        organization.AddGroup("Added by hand", null, admin, legacy);
    }

    public async Task DisposeAsync()
    {
        await bitwarden.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    public static TheoryData<string> CaseNames() => [.. BadInputCatalog.Of(BadInputLayer.Sync).Select(c => c.Input)];

    /// <summary>What goes bad in each case, applied to the setup of the first (good) sync.</summary>
    private static readonly Dictionary<string, Action<Setup>> Mutations = new(StringComparer.Ordinal)
    {
        // With nothing new to post the key is not used; a new user makes the sync need it.
        ["wrong API key"] = s => (s.ClientSecret, s.Users) = (WrongSecret, [.. s.Users, new("dave", "dave@corp.example")]),
        ["API key of another organization"] = s => s.OrganizationId = "99999999-8888-7777-6666-555555555555",
        ["client id not an organization key"] = s => s.ClientId = "user.11111111-2222-3333-4444-555555555555",
        ["server URL with a wrong path"] = s => s.ServerUrl += "/vault",
        ["wrong bind password"] = s => s.BindPassword = "wrong-bind-password-SENTINEL-93aa",
        ["directory returns no users"] = s => (s.Users, s.Groups) = ([], []),
        ["group name over 100 characters"] = s => s.Groups[0] = s.Groups[0] with { Name = "Engineering " + new string('x', 89) },
        ["email over 256 characters"] = s => s.Users[1] = s.Users[1] with { Email = new string('b', 244) + "@corp.example" },
        ["invalid email"] = s => s.Users[1] = s.Users[1] with { Email = "bob.example.com" },
        ["duplicate emails"] = s => s.Users[1] = s.Users[1] with { Email = "alice@corp.example" },
        ["duplicate user ids in a JSON export"] = s => s.Users.Add(new("alice", "alice.second@corp.example")),
        ["duplicate group ids in a JSON export"] = s => s.Groups.Add(new("group-engineering", "Engineering (copy)", ["carol"])),
        ["duplicate external ids in LDAP"] = s => s.LdapAdditions = s.Person("Carol", "user-1001"),
        // Written in Latin-1 by an export script: before, the address went to Bitwarden as "b\uFFFDb@corp.example".
        ["export not UTF-8"] = s => (s.Users[1], s.DirectoryEncoding) = (s.Users[1] with { Email = "b\u00f3b@corp.example" }, Encoding.Latin1),
        // One cron line copied from another: its state says which members prune may remove.
        ["state file of another DirectorySync"] = s => s.Name = "corp-eu",
        ["state file of another organization"] = s => s.ClientId = "organization.99999999-8888-7777-6666-555555555555",
        ["state path is a folder"] = s => s.StateFile = "",
    };

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task EachCaseNamesTheFieldOrEntryAndTheOrganizationKeepsEveryMemberAndGroup(string input)
    {
        var @case = BadInputCatalog.Get(BadInputLayer.Sync, input);
        Mutations.Should().ContainKey(input, "every Sync case of the catalog has its setup here");
        var setup = input switch
        {
            "wrong bind password" => Setup.Slapd(bitwarden, slapd),
            "duplicate external ids in LDAP" => Setup.SlapdWithOwnIds(bitwarden, slapd),
            _ => Setup.File(bitwarden),
        };

        var first = await SyncAsync(setup);
        first.ExitCode.Should().Be(0, first.ToString());
        var before = bitwarden.Organization.Snapshot();
        before.Should().Contain(line => line.StartsWith("group Engineering ", StringComparison.Ordinal), "the first sync created the directory's groups: " + first);

        Mutations[input](setup);
        var result = await SyncAsync(setup);

        result.ExitCode.Should().Be(@case.ExitCode, result.ToString());
        @case.IsIn(result.Error).Should().BeTrue($"stderr has \"{@case.Message}\":\n{result}");
        (result.Error + result.Output).Should().NotContain("SENTINEL");
        bitwarden.Organization.Snapshot().Should().Equal(before, "no member or group is lost, nor changed, because of bad input");
    }

    private async Task<CliResult> SyncAsync(Setup setup)
    {
        if (setup.LdapAdditions is { } additions)
        {
            await slapd.Server.AddLdifAsync(slapd.Contract, additions);
            setup.LdapAdditions = null;
        }

        var manifest = Path.Combine(folder, "corp.yaml");
        File.WriteAllText(manifest, setup.Manifest());
        File.WriteAllBytes(Path.Combine(folder, "directory.json"), setup.DirectoryEncoding.GetBytes(setup.DirectoryJson()));
        return await CliRunner.RunAsync("sync", "-f", manifest, "--state", Path.Combine(folder, setup.StateFile));
    }

    private sealed record DirectoryUser(string Id, string Email);

    private sealed record DirectoryGroup(string Id, string Name, string[] Members);

    /// <summary>What the manifest and the directory say; the cases change one thing.</summary>
    private sealed class Setup
    {
        // Non-ASCII as written by export scripts, not \u-escaped, so the file's encoding matters.
        private static readonly JsonSerializerOptions RawText = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

        private string? ldapSource;
        private string? ou;

        public required string ClientId { get; set; }

        public required string ClientSecret { get; set; }

        public required string ServerUrl { get; set; }

        public string? OrganizationId { get; set; }

        public string Name { get; set; } = "corp";

        /// <summary>The --state file, relative to the test's folder.</summary>
        public string StateFile { get; set; } = "state.json";

        public Encoding DirectoryEncoding { get; set; } = new UTF8Encoding(false);

        public string BindPassword { get; set; } = "";

        public List<DirectoryUser> Users { get; set; } =
            [new("alice", "alice@corp.example"), new("bob", "bob@corp.example"), new("carol", "carol@corp.example")];

        public List<DirectoryGroup> Groups { get; set; } =
            [new("group-engineering", "Engineering", ["alice", "bob"]), new("group-everyone", "Everyone", ["alice", "bob", "carol"])];

        public static Setup File(BitwardenStandIn bitwarden) =>
            new() { ClientId = bitwarden.ClientId, ClientSecret = bitwarden.ClientSecret, ServerUrl = bitwarden.BaseUrl.ToString().TrimEnd('/') };

        /// <summary>The seeded slapd (its Engineering and Platform groups) read as its administrator.</summary>
        public static Setup Slapd(BitwardenStandIn bitwarden, SlapdFixture slapd)
        {
            var setup = File(bitwarden);
            setup.BindPassword = slapd.Example.AdminPassword;
            setup.ldapSource = $"ldap: {{hostname: \"{SlapdServer.Host}\", port: {slapd.Server.LdapPort}, rootPath: \"{slapd.Example.Suffix}\", "
                + $"userPath: ou=People, groupPath: ou=Groups, username: \"{slapd.Example.AdminDn}\", passwordSecretRef: {{name: bind, key: password}}}}";
            return setup;
        }

        /// <summary>An organizational unit of its own below the fixture's empty suffix: Alice and Bob in the group
        /// Engineering, each with its description as external id.</summary>
        public static Setup SlapdWithOwnIds(BitwardenStandIn bitwarden, SlapdFixture slapd)
        {
            var setup = File(bitwarden);
            var ou = $"ou=bad-input-{Guid.NewGuid():N},{slapd.Contract.Suffix}";
            setup.ou = ou;
            setup.BindPassword = slapd.Contract.AdminPassword;
            setup.ldapSource = $"ldap: {{hostname: \"{SlapdServer.Host}\", port: {slapd.Server.LdapPort}, rootPath: \"{ou}\", externalIdAttribute: description, "
                + $"username: \"{slapd.Contract.AdminDn}\", passwordSecretRef: {{name: bind, key: password}}}}";
            setup.LdapAdditions = $"dn: {ou}\nobjectClass: organizationalUnit\nou: {ou[3..ou.IndexOf(',', StringComparison.Ordinal)]}\n\n"
                + setup.Person("Alice", "user-1001") + setup.Person("Bob", "user-1002")
                + $"dn: cn=Engineering,{ou}\nobjectClass: groupOfNames\ncn: Engineering\ndescription: group-engineering\nmember: cn=Alice,{ou}\nmember: cn=Bob,{ou}\n\n";
            return setup;
        }

        /// <summary>LDIF to add to slapd before the next sync.</summary>
        public string? LdapAdditions { get; set; }

        public string Person(string name, string id)
            => $"dn: cn={name},{ou}\nobjectClass: inetOrgPerson\ncn: {name}\nsn: {name}\nmail: {name.ToLowerInvariant()}@corp.example\ndescription: {id}\n\n";

        public string Manifest()
        {
            var text = new StringBuilder("apiVersion: directoryconnector.dev/v1alpha1\nkind: DirectorySync\nmetadata: {name: ").Append(Name).Append(", namespace: bitwarden}\nspec:\n")
                .Append("  bitwarden: {serverUrl: \"").Append(ServerUrl).Append("\", apiKeySecretRef: {name: bw}")
                .Append(OrganizationId is null ? "" : $", organizationId: \"{OrganizationId}\"").Append("}\n")
                .Append("  source: {").Append(ldapSource ?? "file: {path: directory.json, format: json}").Append("}\n")
                .Append("  sync: {prune: true}\n")
                .Append("---\napiVersion: v1\nkind: Secret\nmetadata: {name: bw, namespace: bitwarden}\nstringData:\n")
                .Append("  client_id: \"").Append(ClientId).Append("\"\n  client_secret: \"").Append(ClientSecret).Append("\"\n");
            if (ldapSource is not null)
            {
                text.Append("---\napiVersion: v1\nkind: Secret\nmetadata: {name: bind, namespace: bitwarden}\nstringData:\n  password: \"").Append(BindPassword).Append("\"\n");
            }

            return text.ToString();
        }

        public string DirectoryJson() => JsonSerializer.Serialize(new
        {
            users = Users.Select(u => new { id = u.Id, email = u.Email }),
            groups = Groups.Select(g => new { id = g.Id, name = g.Name, members = g.Members }),
        }, RawText);

    }
}
