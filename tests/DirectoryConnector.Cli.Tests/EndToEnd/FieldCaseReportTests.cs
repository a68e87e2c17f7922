// Test names are sentences.

using DirectoryConnector.TestSupport.Bitwarden;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Cli.Tests.EndToEnd;

/// <summary>What `sync` tells an administrator about the field cases of an export (issue 6): every entry left out on
/// stderr with its reason, every value used only in part as a warning, and neither is posted as if complete.</summary>
public sealed class FieldCaseReportTests : IAsyncLifetime
{
    private BitwardenStandIn standIn = null!;
    private TestWorkspace workspace = null!;

    public async Task InitializeAsync()
    {
        standIn = await BitwardenStandIn.StartAsync();
        workspace = new TestWorkspace(standIn, "{users: true, groups: true, removeDisabled: true}").User("Alice").User("Bob");
        workspace.WriteDirectory();
        File.AppendAllText(Path.Combine(workspace.Folder, "directory.ldif"),
            // A second mail value, a display-name address, and a group exported with only its first range of members.
            "dn: cn=Mia,ou=People,dc=example,dc=com\nobjectClass: inetOrgPerson\ncn: Mia\nsn: Mia\nmail: mia@example.com\nmail: mia.second@example.com\n\n"
            + "dn: cn=Dov,ou=People,dc=example,dc=com\nobjectClass: inetOrgPerson\ncn: Dov\nsn: Dov\nmail: Dov Display <dov@example.com>\n\n"
            + "dn: cn=Big,ou=Groups,dc=example,dc=com\nobjectClass: group\ncn: Big\n"
            + "member;range=0-1: cn=Alice,ou=People,dc=example,dc=com\nmember;range=0-1: cn=Bob,ou=People,dc=example,dc=com\n\n");
    }

    public async Task DisposeAsync()
    {
        workspace.Dispose();
        await standIn.DisposeAsync();
    }

    [Fact]
    public async Task Sync_names_each_entry_left_out_and_each_warning_on_stderr_and_posts_neither()
    {
        var result = await CliRunner.RunAsync(["sync", "-f", workspace.ManifestPath, "--state", workspace.StatePath]);

        result.ExitCode.Should().Be(0, result.ToString());
        var errors = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        errors.Should().Contain(line => line.StartsWith("skipped group cn=Big,ou=Groups,dc=example,dc=com: ", StringComparison.Ordinal)
            && line.Contains("member;range=0-1", StringComparison.Ordinal) && line.Contains("range retrieval", StringComparison.Ordinal));
        errors.Should().Contain(line => line.StartsWith("skipped user cn=Dov,ou=People,dc=example,dc=com: ", StringComparison.Ordinal)
            && line.Contains("(from mail)", StringComparison.Ordinal) && line.Contains("display-name form", StringComparison.Ordinal));
        errors.Should().Contain(line => line.StartsWith("warning: cn=Mia,ou=People,dc=example,dc=com has 2 mail values", StringComparison.Ordinal));
        errors.Should().ContainSingle(line => line.StartsWith("warning: ", StringComparison.Ordinal) && line.Contains("removeDisabled", StringComparison.Ordinal),
            "an export without any account-lock attribute cannot tell disabled users apart: said once");
        standIn.Organization.Members.Select(m => m.Email).Should().BeEquivalentTo("alice@example.com", "bob@example.com", "mia@example.com");
        standIn.Organization.GroupByExternalId("cn=Big,ou=Groups,dc=example,dc=com").Should().BeNull("a group known to be incomplete is never sent");
    }
}
