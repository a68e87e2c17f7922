using System.Text.Json;
using FluentAssertions;
using DirectoryConnector.TestSupport;
using Xunit;

namespace DirectoryConnector.Cli.Tests.EndToEnd;

public sealed class TestCommandTests
{
    private static string DemoManifest => Path.Combine(CliRunner.RepositoryRoot(), "config", "samples", "demo.yaml");

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static string[] Cells(string line) => line.Split("  ", StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Runs <c>test</c> on a DirectorySync whose file source is <paramref name="ldif"/>, in a folder of its own.</summary>
    private static async Task<CliResult> TestLdifAsync(string ldif, params string[] arguments)
    {
        var folder = Directory.CreateTempSubdirectory("dc-test-ldif-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "directory.ldif"), ldif);
            var manifest = Path.Combine(folder, "directorysync.yaml");
            await File.WriteAllTextAsync(manifest, """
                apiVersion: directoryconnector.dev/v1alpha1
                kind: DirectorySync
                metadata: {name: ldif}
                spec:
                  bitwarden: {apiKeySecretRef: {name: unused}}
                  source: {file: {path: directory.ldif}}
                """);
            return await CliRunner.RunAsync(["test", "-f", manifest, .. arguments]);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task DemoTableShowsFlattenedGroupsTheDisabledUserAndTheSkippedEntry()
    {
        var result = await CliRunner.RunAsync("test", "-f", DemoManifest);

        result.ExitCode.Should().Be(0, result.ToString());
        var lines = Lines(result.Output);
        var rows = lines.Select(Cells).ToList();

        // Members sorted by email, with their status; the mixed-case email is normalized.
        rows.Where(r => r.Length == 3 && r[0].Contains('@', StringComparison.Ordinal)).Select(r => (r[0], r[2])).Should().Equal(
            ("alice.chen@example.com", "enabled"),
            ("bob.martinez@example.com", "enabled"),
            ("carol.williams@example.com", "enabled"),
            ("dave.kim@example.com", "disabled"));

        // Groups sorted by name; Everyone gets Bob and Dave through Engineering > Platform.
        var groups = rows.Where(r => r.Length == 3 && r[1].StartsWith("cn=", StringComparison.Ordinal) && r[1].Contains("ou=Groups", StringComparison.Ordinal)).ToList();
        groups.Select(g => g[0]).Should().Equal("Engineering", "Everyone", "Platform");
        groups[1][2].Should().Be("alice.chen@example.com, bob.martinez@example.com, carol.williams@example.com, dave.kim@example.com");
        groups[0][2].Should().Be("alice.chen@example.com, bob.martinez@example.com, dave.kim@example.com");

        rows.Should().ContainSingle(r => r[0] == "user" && r[1] == "cn=Backup Service,ou=People,dc=example,dc=com")
            .Which[2].Should().Contain("no email");
        lines[^1].Should().Be("4 members (3 enabled, 1 disabled, 0 deleted), 3 groups, 1 skipped; 1 import request");
        result.Error.Should().BeEmpty();
    }

    [Fact]
    public async Task TableListsGroupMembersByEmailAndAnUnsendableMemberByExternalIdAmongThem()
    {
        // External-id order (Aaron, Ann, Bea) differs from email order (abe, zoe); Aaron's email cannot be sent, so
        // his groups still list him, by external id.
        var result = await TestLdifAsync("""
            dn: cn=Ann,ou=People,dc=example,dc=com
            objectClass: inetOrgPerson
            cn: Ann
            sn: A
            mail: zoe@example.com

            dn: cn=Bea,ou=People,dc=example,dc=com
            objectClass: inetOrgPerson
            cn: Bea
            sn: B
            mail: abe@example.com

            dn: cn=Aaron,ou=People,dc=example,dc=com
            objectClass: inetOrgPerson
            cn: Aaron
            sn: A
            mail: aaron@@example.com

            dn: cn=Mixed,ou=Groups,dc=example,dc=com
            objectClass: groupOfNames
            cn: Mixed
            member: cn=Ann,ou=People,dc=example,dc=com
            member: cn=Bea,ou=People,dc=example,dc=com
            member: cn=Aaron,ou=People,dc=example,dc=com

            dn: cn=Sent,ou=Groups,dc=example,dc=com
            objectClass: groupOfNames
            cn: Sent
            member: cn=Ann,ou=People,dc=example,dc=com
            member: cn=Bea,ou=People,dc=example,dc=com

            """);

        result.ExitCode.Should().Be(0, result.ToString());
        var rows = Lines(result.Output).Select(Cells).ToList();
        rows.Where(r => r.Length == 3 && r[0].Contains('@', StringComparison.Ordinal)).Select(r => r[0]).Should().Equal("abe@example.com", "zoe@example.com");
        rows.Should().ContainSingle(r => r[0] == "Sent").Which[2].Should().Be("abe@example.com, zoe@example.com");
        rows.Should().ContainSingle(r => r[0] == "Mixed").Which[2].Should().Be("abe@example.com, cn=Aaron,ou=People,dc=example,dc=com, zoe@example.com");
    }

    [Fact]
    public async Task ManifestsPipedToDashFAreReadFromStandardInputAsWithKubectl()
    {
        var ldif = Path.Combine(CliRunner.RepositoryRoot(), "config", "samples", "demo-directory.ldif");
        var manifest = (await File.ReadAllTextAsync(DemoManifest)).Replace("path: demo-directory.ldif", $"path: {ldif}", StringComparison.Ordinal);
        manifest.Should().Contain(ldif);

        var result = await CliRunner.RunWithInputAsync(manifest, "test", "-f", "-");

        result.ExitCode.Should().Be(0, result.ToString());
        Lines(result.Output)[^1].Should().Be("4 members (3 enabled, 1 disabled, 0 deleted), 3 groups, 1 skipped; 1 import request");

        var broken = await CliRunner.RunWithInputAsync("apiVersion: v1\nkind: Secret\nmetadata: {name: x\n", "test", "-f", "-");
        broken.ExitCode.Should().Be(2, broken.ToString());
        broken.Error.Should().StartWith("error: (stdin): line ");
    }

    [Fact]
    public async Task DemoJsonIsTheExactImportRequest()
    {
        var result = await CliRunner.RunAsync("test", "-f", DemoManifest, "-o", "json");

        result.ExitCode.Should().Be(0, result.ToString());
        using var json = JsonDocument.Parse(result.Output);
        var request = json.RootElement.GetProperty("requests").EnumerateArray().Should().ContainSingle().Subject;
        request.GetProperty("overwriteExisting").GetBoolean().Should().BeFalse();
        request.GetProperty("largeImport").GetBoolean().Should().BeFalse();

        var members = request.GetProperty("members").EnumerateArray()
            .ToDictionary(m => m.GetProperty("email").GetString()!, m => (m.GetProperty("externalId").GetString(), m.GetProperty("deleted").GetBoolean()));
        members.Should().BeEquivalentTo(new Dictionary<string, (string?, bool)>
        {
            ["alice.chen@example.com"] = ("cn=Alice Chen,ou=People,dc=example,dc=com", false),
            ["bob.martinez@example.com"] = ("cn=Bob Martinez,ou=People,dc=example,dc=com", false),
            ["carol.williams@example.com"] = ("cn=Carol Williams,ou=People,dc=example,dc=com", false),
            ["dave.kim@example.com"] = ("cn=Dave Kim,ou=People,dc=example,dc=com", false),
        });

        var everyone = request.GetProperty("groups").EnumerateArray().Single(g => g.GetProperty("name").GetString() == "Everyone");
        everyone.GetProperty("externalId").GetString().Should().Be("cn=Everyone,ou=Groups,dc=example,dc=com");
        everyone.GetProperty("memberExternalIds").EnumerateArray().Select(e => e.GetString()).Should().BeEquivalentTo(
            "cn=Alice Chen,ou=People,dc=example,dc=com",
            "cn=Bob Martinez,ou=People,dc=example,dc=com",
            "cn=Carol Williams,ou=People,dc=example,dc=com",
            "cn=Dave Kim,ou=People,dc=example,dc=com");
    }

    [Fact]
    public async Task DemoJsonNamesEveryEntryLeftOutWithItsReasonAndTheWarnings()
    {
        // A user without mail (skipped), a group listing a contact-like DN that is no user (skipped member), and a second mail value (warning).
        var result = await TestLdifAsync("""
            dn: cn=Ann,ou=People,dc=example,dc=com
            objectClass: inetOrgPerson
            cn: Ann
            sn: A
            mail: ann@example.com
            mail: ann.second@example.com

            dn: cn=Backup,ou=People,dc=example,dc=com
            objectClass: inetOrgPerson
            cn: Backup
            sn: B

            dn: cn=Dev,ou=Groups,dc=example,dc=com
            objectClass: groupOfNames
            cn: Dev
            member: cn=Ann,ou=People,dc=example,dc=com
            member: cn=Nobody,ou=People,dc=example,dc=com

            """, "-o", "json");

        result.ExitCode.Should().Be(0, result.ToString());
        using var json = JsonDocument.Parse(result.Output);
        var skipped = json.RootElement.GetProperty("skipped").EnumerateArray()
            .Select(s => (Kind: s.GetProperty("kind").GetString(), Entry: s.GetProperty("entry").GetString(), Reason: s.GetProperty("reason").GetString()!)).ToList();
        skipped.Should().Contain(s => s.Kind == "user" && s.Entry == "cn=Backup,ou=People,dc=example,dc=com" && s.Reason.Contains("no email"));
        skipped.Should().Contain(s => s.Entry != null && s.Entry.Contains("cn=nobody", StringComparison.OrdinalIgnoreCase), "a member that is no user is left out by name");
        skipped.Should().OnlyContain(s => !string.IsNullOrWhiteSpace(s.Reason));
        json.RootElement.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()).Should()
            .ContainSingle(w => w!.Contains("ann.second@example.com", StringComparison.Ordinal), "the second mail value is ignored and said so");
        json.RootElement.GetProperty("requests").EnumerateArray().Single().GetProperty("members").EnumerateArray()
            .Select(m => m.GetProperty("email").GetString()).Should().Equal("ann@example.com");
    }

    [Fact]
    public async Task TestNeverNeedsTheApiKeySecret()
    {
        // demo.yaml references demo-bitwarden-api-key, which no -f file defines: test must not ask for it.
        var result = await CliRunner.RunAsync("test", "-f", DemoManifest);
        result.ExitCode.Should().Be(0, result.ToString());
        result.Error.Should().NotContain("demo-bitwarden-api-key");
    }

    [UpstreamConformanceFact]
    public async Task UpstreamCircularGroupsFlattenAsTheOriginalConnectorSent()
    {
        var folder = Directory.CreateTempSubdirectory("dc-circular-").FullName;
        try
        {
            var manifest = Path.Combine(folder, "circular.yaml");
            await File.WriteAllTextAsync(manifest, $"""
                apiVersion: directoryconnector.dev/v1alpha1
                kind: DirectorySync
                metadata: {"{"}name: circular{"}"}
                spec:
                  bitwarden: {"{"}apiKeySecretRef: {"{"}name: unused{"}"}{"}"}
                  source: {"{"}file: {"{"}path: "{UpstreamFixtures.File("directory-circular-groups.ldif")}"{"}"}{"}"}
                """);

            var result = await CliRunner.RunAsync("test", "-f", manifest, "-o", "json");

            result.ExitCode.Should().Be(0, result.ToString());
            using var ours = JsonDocument.Parse(result.Output);
            var sent = ours.RootElement.GetProperty("requests").EnumerateArray().Single().GetProperty("groups").EnumerateArray()
                .ToDictionary(g => g.GetProperty("externalId").GetString()!, g => g.GetProperty("memberExternalIds").EnumerateArray().Select(e => e.GetString()!).ToHashSet());

            using var upstream = JsonDocument.Parse(await File.ReadAllTextAsync(UpstreamFixtures.File("captured/run3-circular-groups-bwdc-test-output.json")));
            var expected = upstream.RootElement.GetProperty("groups").EnumerateArray()
                .ToDictionary(g => g.GetProperty("externalId").GetString()!, g => g.GetProperty("userIds").EnumerateArray().Select(e => e.GetString()!).ToHashSet());

            expected.Should().HaveCount(10);
            sent.Keys.Should().BeEquivalentTo(expected.Keys);
            foreach (var (group, users) in expected)
            {
                sent[group].Should().BeEquivalentTo(users, "group {0} must have the same flattened members", group);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_directory_that_yields_no_users_is_pointed_out_on_stderr()
    {
        // What a typo in a filter or a search base looks like: an export with groups and no users.
        var folder = Directory.CreateTempSubdirectory("dc-test-empty-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "directory.ldif"), "dn: cn=Ops,ou=Groups,dc=example,dc=com\nobjectClass: groupOfNames\ncn: Ops\nmember: cn=Nobody,ou=People,dc=example,dc=com\n");
            var manifest = Path.Combine(folder, "corp.yaml");
            await File.WriteAllTextAsync(manifest, "apiVersion: directoryconnector.dev/v1alpha1\nkind: DirectorySync\nmetadata: {name: corp}\n"
                + "spec: {bitwarden: {apiKeySecretRef: {name: bw}}, source: {file: {path: directory.ldif}}}\n");

            var result = await CliRunner.RunAsync("test", "-f", manifest);

            result.ExitCode.Should().Be(0, result.ToString());
            Lines(result.Output)[^1].Should().StartWith("0 members");
            result.Error.Should().StartWith("warning: the source returned no users: check spec.filters.users");

            var demo = await CliRunner.RunAsync("test", "-f", DemoManifest);
            demo.Error.Should().BeEmpty("a directory with users gets no such warning");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
