using System.Text.Json;
using DirectoryConnector.TestSupport.Bitwarden;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Cli.Tests.EndToEnd;

public sealed class SyncCommandTests : IAsyncLifetime
{
    private BitwardenStandIn standIn = null!;
    private TestWorkspace workspace = null!;

    public async Task InitializeAsync()
    {
        standIn = await BitwardenStandIn.StartAsync();
        workspace = new TestWorkspace(standIn)
            .User("Alice").User("Bob").User("Carol", disabled: true)
            .Group("Platform", "Bob")
            .Group("Engineering", "Alice", "group:Platform");
        workspace.WriteDirectory();
    }

    public async Task DisposeAsync()
    {
        workspace.Dispose();
        await standIn.DisposeAsync();
    }

    private Task<CliResult> SyncAsync(params string[] extra)
        => CliRunner.RunAsync(["sync", "-f", workspace.ManifestPath, "--state", workspace.StatePath, .. extra]);

    private static JsonElement Body(RecordedRequest request) => JsonDocument.Parse(request.Body).RootElement;

    private JsonElement StateJson() => JsonDocument.Parse(File.ReadAllText(workspace.StatePath)).RootElement;

    [Fact]
    public async Task SecondRunWithNothingChangedPostsNothing()
    {
        var first = await SyncAsync();

        first.ExitCode.Should().Be(0, first.ToString());
        first.Output.Should().StartWith("added: alice@example.com\n").And.Contain("\nSynced: posted members and groups. Changes: 3 added, ");
        standIn.ImportRequests.Should().ContainSingle();
        standIn.Organization.Members.Select(m => m.Email).Should().BeEquivalentTo("alice@example.com", "bob@example.com", "carol@example.com");
        var engineering = standIn.Organization.GroupByExternalId(TestWorkspace.GroupDn("Engineering"))!;
        standIn.Organization.MemberExternalIdsOf(engineering).Should().BeEquivalentTo(TestWorkspace.UserDn("Alice"), TestWorkspace.UserDn("Bob"));
        var state = StateJson();
        state.GetProperty("membersHash").GetString().Should().NotBeNullOrEmpty();
        state.GetProperty("userCount").GetInt32().Should().Be(3);

        var second = await SyncAsync();

        second.ExitCode.Should().Be(0, second.ToString());
        second.Output.Should().StartWith("Up to date: nothing changed since the last sync, nothing posted.");
        standIn.ImportRequests.Should().ContainSingle("the second run must not post");
        StateJson().GetProperty("membersHash").GetString().Should().Be(state.GetProperty("membersHash").GetString());
    }

    [Fact]
    public async Task AStateFolderThisUserCannotWriteIsRefusedBeforeAnythingIsPosted()
    {
        // sysfs takes no new files, not even from root: the folder exists and cannot be written.
        var state = "/sys/directory-connector-state.json";

        var result = await CliRunner.RunAsync("sync", "-f", workspace.ManifestPath, "--state", state);

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().StartWith($"error: --state {state}: this user cannot write in the folder /sys (").And.Contain("give a folder it can write");
        standIn.ImportRequests.Should().BeEmpty("a sync whose state cannot be saved would post everything again on every run");
    }

    [Fact]
    public async Task AGroupMembershipChangePostsOnlyTheGroups()
    {
        (await SyncAsync()).ExitCode.Should().Be(0);
        workspace.Group("Platform", "Bob", "Carol").WriteDirectory();

        var result = await SyncAsync();

        result.ExitCode.Should().Be(0, result.ToString());
        // Carol joins Platform, and through nesting Engineering: said per group, not as a payload size.
        result.Output.Should().StartWith("added to group Engineering: carol@example.com\nadded to group Platform: carol@example.com\n"
            + "Synced: posted groups. Changes: 2 added to groups.");
        var body = Body(standIn.ImportRequests.Should().HaveCount(2).And.Subject.Last());
        body.GetProperty("members").GetArrayLength().Should().Be(0);
        body.GetProperty("groups").GetArrayLength().Should().Be(2);
        var platform = standIn.Organization.GroupByExternalId(TestWorkspace.GroupDn("Platform"))!;
        standIn.Organization.MemberExternalIdsOf(platform).Should().BeEquivalentTo(TestWorkspace.UserDn("Bob"), TestWorkspace.UserDn("Carol"));
    }

    [Fact]
    public async Task ANewUserOutsideAnyGroupPostsOnlyTheMembersOfItsShard()
    {
        (await SyncAsync()).ExitCode.Should().Be(0);
        workspace.User("Dave").WriteDirectory();

        var result = await SyncAsync();

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().StartWith("added: dave@example.com\nSynced: posted members. Changes: 1 added.");
        var body = Body(standIn.ImportRequests.Should().HaveCount(2).And.Subject.Last());
        body.GetProperty("groups").GetArrayLength().Should().Be(0);
        // The other three members hash into other shards, which did not change.
        body.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("email").GetString()).Should().Equal("dave@example.com");
        standIn.Organization.MemberByExternalId(TestWorkspace.UserDn("Dave")).Should().NotBeNull();
    }

    [Fact]
    public async Task ForcePostsEverythingEvenWhenUpToDate()
    {
        (await SyncAsync()).ExitCode.Should().Be(0);

        var result = await SyncAsync("--force");

        result.ExitCode.Should().Be(0, result.ToString());
        standIn.ImportRequests.Should().HaveCount(2);
    }

    [Fact]
    public async Task EntriesLeftOutAreNamedOnStderr()
    {
        File.AppendAllText(Path.Combine(workspace.Folder, "directory.ldif"), "dn: cn=Printer,ou=People,dc=example,dc=com\nobjectClass: inetOrgPerson\ncn: Printer\nsn: Printer\n\n");

        var result = await SyncAsync();

        result.ExitCode.Should().Be(0, result.ToString());
        result.Error.Should().StartWith("skipped user cn=Printer,ou=People,dc=example,dc=com: ").And.Contain("email");
        result.Output.Should().Contain("1 skipped");
    }

    [Fact]
    public async Task DryRunPostsNothingAndLeavesTheStateAlone()
    {
        (await SyncAsync()).ExitCode.Should().Be(0);
        var before = File.ReadAllText(workspace.StatePath);
        workspace.User("Dave").WriteDirectory();

        var result = await SyncAsync("--dry-run");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().StartWith("would be added: dave@example.com\nDry run: would post members. Changes: 1 added.");
        standIn.ImportRequests.Should().ContainSingle();
        File.ReadAllText(workspace.StatePath).Should().Be(before);
    }

    [Fact]
    public async Task AMissingDirectoryFileIsBadInputNamingTheField()
    {
        File.Delete(Path.Combine(workspace.Folder, "directory.ldif"));

        var result = await SyncAsync();

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().StartWith("error: InvalidSpec: spec.source.file.path").And.Contain("does not exist");
        standIn.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task ABitwardenFailureExitsOneAndKeepsTheHashesSoTheNextRunRetries()
    {
        (await SyncAsync()).ExitCode.Should().Be(0);
        var before = StateJson();
        workspace.User("Dave").WriteDirectory();
        standIn.FailNext(CliRunner.BitwardenAttempts, 500);

        var failed = await SyncAsync();

        failed.ExitCode.Should().Be(1, failed.ToString());
        failed.Error.Should().StartWith("error: BitwardenUnavailable:");
        failed.Error.Should().NotContain(standIn.ClientSecret);
        var after = StateJson();
        after.GetProperty("membersHash").GetString().Should().Be(before.GetProperty("membersHash").GetString());
        after.GetProperty("lastSuccessfulSyncTime").GetDateTimeOffset().Should().Be(before.GetProperty("lastSuccessfulSyncTime").GetDateTimeOffset());
        after.GetProperty("lastSyncTime").GetDateTimeOffset().Should().BeAfter(before.GetProperty("lastSyncTime").GetDateTimeOffset());

        var retried = await SyncAsync();

        retried.ExitCode.Should().Be(0, retried.ToString());
        standIn.Organization.MemberByExternalId(TestWorkspace.UserDn("Dave")).Should().NotBeNull();
    }

    [Fact]
    public async Task AnEmptiedDirectoryNeverRemovesMembers()
    {
        (await SyncAsync()).ExitCode.Should().Be(0);
        workspace.RemoveUser("Alice").RemoveUser("Bob").RemoveUser("Carol").Group("Platform").Group("Engineering").WriteDirectory();
        var posts = standIn.ImportRequests.Count;

        var result = await SyncAsync();

        result.ExitCode.Should().Be(1, result.ToString());
        result.Error.Should().StartWith("error: SourceEmpty: The directory returned no users, but the last successful sync sent 3 users.");
        standIn.ImportRequests.Should().HaveCount(posts);
        standIn.Organization.Members.Should().HaveCount(3);
    }

    [Fact]
    public async Task AMissingSecretIsBadInput()
    {
        File.WriteAllText(workspace.ManifestPath, File.ReadAllText(workspace.ManifestPath).Replace("name: bitwarden-org-api-key, namespace", "name: renamed, namespace", StringComparison.Ordinal));

        var result = await SyncAsync();

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().StartWith("error: SecretNotFound: spec.bitwarden.apiKeySecretRef.name: Secret \"bitwarden-org-api-key\" was not found in the files given with -f")
            .And.Contain("add its manifest with another -f").And.Contain("or set spec.bitwarden.apiKeySecretRef.name to a Secret that exists.");
        standIn.Requests.Should().BeEmpty();
        File.Exists(workspace.StatePath).Should().BeFalse();
    }

    [Fact]
    public async Task EveryInvalidFieldIsListedWithExitTwo()
    {
        File.WriteAllText(workspace.ManifestPath, File.ReadAllText(workspace.ManifestPath)
            .Replace("spec:\n", "spec:\n  interval: 30s\n", StringComparison.Ordinal)
            .Replace("sync: {users: true, groups: true}", "sync: {users: false, groups: true, overwriteExisting: true}", StringComparison.Ordinal));

        var result = await SyncAsync();

        result.ExitCode.Should().Be(2, result.ToString());
        var errors = result.Error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        errors.Should().HaveCount(2);
        errors[0].Should().EndWith("(DirectorySync e2e): spec.interval: 30s is shorter than the minimum of 1m");
        errors[1].Should().Contain("spec.sync.overwriteExisting: is true while users is false");
        standIn.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task AnUnknownFieldIsBadInputNamingItsPath()
    {
        File.WriteAllText(workspace.ManifestPath, File.ReadAllText(workspace.ManifestPath)
            .Replace("file: {path: directory.ldif}", "file: {path: directory.ldif, fromat: ldif}", StringComparison.Ordinal));

        var result = await SyncAsync();

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().Be($"error: {workspace.ManifestPath} (DirectorySync e2e): spec.source.file.fromat: unknown field" + Environment.NewLine);
    }

    [Fact]
    public async Task UsageErrorsAreBadInput()
    {
        var result = await CliRunner.RunAsync("sync", "--state", workspace.StatePath);

        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain("--filename");
    }

    [Fact]
    public async Task ACorruptStateFileIsBadInput()
    {
        File.WriteAllText(workspace.StatePath, "{ not json");

        var result = await SyncAsync();

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().StartWith($"error: --state {workspace.StatePath}: not a sync state");
        standIn.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task AnUnreachableBitwardenIsASyncFailureThatNamesTheFieldAndPromisesNoRetry()
    {
        var closed = new Uri($"http://127.0.0.1:{DirectoryConnector.TestSupport.Ldap.SlapdServer.FreePortForTests()}/");
        File.WriteAllText(workspace.ManifestPath, File.ReadAllText(workspace.ManifestPath).Replace(standIn.BaseUrl.AbsoluteUri.TrimEnd('/'), closed.AbsoluteUri.TrimEnd('/'), StringComparison.Ordinal));

        var result = await SyncAsync();

        result.ExitCode.Should().Be(1, result.ToString());
        result.Error.Should().StartWith($"error: BitwardenUnavailable: Bitwarden at {closed.AbsoluteUri.TrimEnd('/')}")
            .And.Contain("could not be reached").And.Contain("spec.bitwarden.serverUrl");
        // A one-shot command: nothing retries it, and no pod runs it.
        result.Error.Should().NotContainAny("retried", "this pod");
    }

    [Fact]
    public async Task JsonThatIsNoStateThisToolWroteIsBadInputAndNothingIsPostedOrRemoved()
    {
        File.WriteAllText(workspace.StatePath, """{"foo":1}""");

        var result = await SyncAsync();

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().Be($"error: --state {workspace.StatePath}: not a sync state written by this tool (it has a member \"foo\" that no state file has); "
            + "delete it to start over with a full sync, or point --state at another file" + Environment.NewLine);
        standIn.Requests.Should().BeEmpty();
        File.ReadAllText(workspace.StatePath).Should().Be("""{"foo":1}""", "a file that is not a state is not overwritten either");
    }

    [Fact]
    public async Task WithTheOtherStateFileAUserMovedToAnotherDirectorySyncIsHandedOverNotRemoved()
    {
        // A second DirectorySync of the same organization (its own folder, directory and state): Dave is its user.
        using var other = new TestWorkspace(standIn, "{users: true, groups: false, prune: true}").User("Dave");
        other.WriteDirectory();
        File.WriteAllText(workspace.ManifestPath, File.ReadAllText(workspace.ManifestPath).Replace("sync: {users: true, groups: true}", "sync: {users: true, groups: true, prune: true}", StringComparison.Ordinal));
        Task<CliResult> SyncOtherAsync() => CliRunner.RunAsync("sync", "-f", other.ManifestPath, "--state", other.StatePath, "--other-state", workspace.StatePath);
        Task<CliResult> SyncThisAsync() => SyncAsync("--other-state", other.StatePath);
        (await SyncThisAsync()).ExitCode.Should().Be(0);
        (await SyncOtherAsync()).ExitCode.Should().Be(0);
        var bob = standIn.Organization.Members.Single(m => m.Email == "bob@example.com");

        // Bob moves to the other directory (same external id); the receiving DirectorySync runs first.
        workspace.RemoveUser("Bob").Group("Platform").WriteDirectory();
        other.User("Bob").WriteDirectory();
        var received = await SyncOtherAsync();
        var left = await SyncThisAsync();

        received.ExitCode.Should().Be(0, received.ToString());
        received.Output.Should().NotContain("added: bob@example.com");
        left.ExitCode.Should().Be(0, left.ToString());
        left.Output.Should().NotContain("removed: bob@example.com", "the other DirectorySync manages Bob now");
        standIn.Organization.Members.Select(m => m.Email).Should().BeEquivalentTo("alice@example.com", "bob@example.com", "carol@example.com", "dave@example.com");
        standIn.Organization.Members.Single(m => m.Email == "bob@example.com").Id.Should().Be(bob.Id);

        // Without the other's state file the same move would remove him: Dave moves back, and this one is told nothing.
        other.RemoveUser("Dave").WriteDirectory();
        workspace.User("Dave").WriteDirectory();
        var unaware = await SyncOtherAsync();
        unaware.Output.Should().Contain("removed: dave@example.com", "this DirectorySync had not taken Dave over yet, so nobody managed him");
    }

    [Fact]
    public async Task AnUnreadableOtherStateFileIsBadInput()
    {
        var broken = Path.Combine(workspace.Folder, "other.json");
        File.WriteAllText(broken, "{ not json");

        var result = await SyncAsync("--other-state", broken);

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().StartWith($"error: --other-state: --state {broken}: not a sync state");
        standIn.Requests.Should().BeEmpty();
    }
}
