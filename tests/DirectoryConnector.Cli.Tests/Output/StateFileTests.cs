using System.Text.Json;
using DirectoryConnector.Cli.Manifests;
using DirectoryConnector.Cli.Output;
using DirectoryConnector.Engine.Sync;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Cli.Tests.Output;

/// <summary>The state file's managed sets are kept as read until a sync reads them (a sync the source cursor proves
/// unchanged never does); either way they must come back exactly as recorded.</summary>
public sealed class StateFileTests : IDisposable
{
    private static readonly StateOwner Owner = new("bitwarden/corp", "3fa85f64-5717-4562-b3fc-2c963f66afa6");

    // Escapes, non-ASCII and a DN with a quoted comma: what a reader that skipped unescaping would get wrong.
    private static readonly string[] Members = ["cn=Zoë \"Z\" Ng\\, Jr.,ou=People,dc=corp,dc=example", "uid=alice,ou=People,dc=corp,dc=example", "ünïcode-ŝ", "tab\there"];

    private readonly string folder = Directory.CreateTempSubdirectory("state-file-").FullName;

    private string StatePath => Path.Combine(folder, "state.json");

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static SyncState Recorded() => new()
    {
        MembersHash = "m1",
        ManagedMembers = Members,
        ManagedGroups = ["cn=eng,ou=Groups,dc=corp,dc=example"],
        RemovedDisabled = [],
        SourceCursor = "cookie",
        Organization = "https://api.example.com|3FA85F64-5717-4562-B3FC-2C963F66AFA6",
        LastSyncTime = new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero),
    };

    [Fact]
    public async Task A_state_saved_without_reading_its_managed_sets_keeps_them_as_recorded()
    {
        await StateFile.SaveAsync(StatePath, Recorded(), Owner, CancellationToken.None);
        var (loaded, owner) = await StateFile.LoadAsync(StatePath, CancellationToken.None);

        // As the engine hands back the state of a sync the cursor proved unchanged: new times, same sets.
        var later = loaded! with { LastSyncTime = new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero), SourceCursor = "cookie-2" };
        await StateFile.SaveAsync(StatePath, later, owner, CancellationToken.None);
        // Nothing built an id: the sets went back to the file as read.
        later.ManagedMembers.Should().BeOfType<DeferredIdList>().Which.Unread.Should().NotBeNull();

        var (again, ownerAgain) = await StateFile.LoadAsync(StatePath, CancellationToken.None);
        again!.ManagedMembers.Should().Equal(Members);
        again.ManagedGroups.Should().Equal("cn=eng,ou=Groups,dc=corp,dc=example");
        again.RemovedDisabled.Should().BeEmpty();
        again.SourceCursor.Should().Be("cookie-2");
        again.LastSyncTime.Should().Be(later.LastSyncTime);
        ownerAgain!.DirectorySync.Should().Be(Owner.DirectorySync);
        Owner.Mismatch(ownerAgain).Should().BeNull("the organization read back is the state's own");
    }

    [Fact]
    public async Task Managed_sets_a_sync_changed_are_written_as_changed()
    {
        await StateFile.SaveAsync(StatePath, Recorded(), Owner, CancellationToken.None);
        var (loaded, _) = await StateFile.LoadAsync(StatePath, CancellationToken.None);

        loaded!.ManagedMembers.Should().Equal(Members);
        var changed = loaded with { ManagedMembers = [.. loaded.ManagedMembers!.Skip(1), "uid=new,ou=People,dc=corp,dc=example"] };
        await StateFile.SaveAsync(StatePath, changed, Owner, CancellationToken.None);

        var (again, _) = await StateFile.LoadAsync(StatePath, CancellationToken.None);
        again!.ManagedMembers.Should().Equal([.. Members.Skip(1), "uid=new,ou=People,dc=corp,dc=example"]);
        again.ManagedGroups.Should().Equal("cn=eng,ou=Groups,dc=corp,dc=example");
    }

    [Fact]
    public async Task The_file_stays_plain_indented_json_with_its_owner()
    {
        await StateFile.SaveAsync(StatePath, Recorded(), Owner, CancellationToken.None);
        var (loaded, _) = await StateFile.LoadAsync(StatePath, CancellationToken.None);
        await StateFile.SaveAsync(StatePath, loaded!, Owner, CancellationToken.None);

        var text = await File.ReadAllTextAsync(StatePath);
        text.Should().StartWith("{\n  \"version\": 1,\n  \"membersHash\": \"m1\",");
        using var json = JsonDocument.Parse(text);
        json.RootElement.GetProperty("managedMembers").EnumerateArray().Select(e => e.GetString()).Should().Equal(Members);
        json.RootElement.GetProperty("writtenFor").GetProperty("directorySync").GetString().Should().Be("bitwarden/corp");
        json.RootElement.GetProperty("writtenFor").TryGetProperty("organization", out _).Should().BeFalse("the state's own organization records it once");
        json.RootElement.GetProperty("organization").GetString().Should().Be("https://api.example.com|3FA85F64-5717-4562-B3FC-2C963F66AFA6");
    }

    [Fact]
    public async Task A_managed_set_that_holds_no_external_ids_is_refused_when_read()
    {
        await File.WriteAllTextAsync(StatePath, """{"membersHash":"m1","lastSyncTime":"2026-11-30T08:00:00+00:00","managedMembers":["uid=a",42]}""");

        var load = () => StateFile.LoadAsync(StatePath, CancellationToken.None);

        (await load.Should().ThrowAsync<ManifestException>()).Which.Message.Should().Contain("not a sync state written by this tool");
    }

    [Fact]
    public async Task A_file_that_is_no_JSON_is_refused_naming_the_place_without_quoting_it()
    {
        await File.WriteAllTextAsync(StatePath, "{\n  \"this is\": not json,, hunter2\n}");

        var load = () => StateFile.LoadAsync(StatePath, CancellationToken.None);

        var message = (await load.Should().ThrowAsync<ManifestException>()).Which.Message;
        message.Should().Be($"--state {StatePath}: not a sync state written by this tool (unexpected content at line 2, byte 15); delete it to start over with a full sync, or point --state at another file");
    }

    [Theory]
    [InlineData("""{"foo":1}""", "it has a member \"foo\" that no state file has")]
    [InlineData("""{"version":2,"lastSyncTime":"2026-11-30T08:00:00+00:00"}""", "its version is not 1, the only format this version of directory-connector reads")]
    [InlineData("""{"membersHash":"m1","groupsHash":"g1"}""", "it has no lastSyncTime, which every state records")]
    [InlineData("""{"lastSyncTime":"2026-11-30T08:00:00+00:00","writtenFor":"bitwarden/corp"}""", "its writtenFor is not an object")]
    [InlineData("[]", "the file holds no JSON object")]
    public async Task JSON_that_is_not_a_state_this_tool_wrote_is_refused_naming_the_file_and_what_to_do(string content, string problem)
    {
        await File.WriteAllTextAsync(StatePath, content);

        var load = () => StateFile.LoadAsync(StatePath, CancellationToken.None);

        (await load.Should().ThrowAsync<ManifestException>()).Which.Message.Should()
            .Be($"--state {StatePath}: not a sync state written by this tool ({problem}); delete it to start over with a full sync, or point --state at another file");
    }

    [Fact]
    public async Task A_file_of_the_previous_version_is_read_with_the_organization_it_repeated_in_writtenFor()
    {
        // As the previous version wrote it: no version, the organization under writtenFor as well as the state's own.
        await File.WriteAllTextAsync(StatePath, """
            {"membersHash":"m1","lastSyncTime":"2026-11-30T08:00:00+00:00","organization":"https://api.example.com|3FA85F64-5717-4562-B3FC-2C963F66AFA6",
             "writtenFor":{"directorySync":"bitwarden/corp","organization":"3fa85f64-5717-4562-b3fc-2c963f66afa6"}}
            """);

        var (state, owner) = await StateFile.LoadAsync(StatePath, CancellationToken.None);

        state!.MembersHash.Should().Be("m1");
        Owner.Mismatch(owner!).Should().BeNull();
        new StateOwner("bitwarden/corp", "99999999-8888-7777-6666-555555555555").Mismatch(owner!).Should()
            .StartWith("was written for the Bitwarden organization 3fa85f64-5717-4562-b3fc-2c963f66afa6, not 99999999-8888-7777-6666-555555555555");

        // A state that recorded no organization of its own (it never reached Bitwarden) keeps the one in writtenFor.
        await File.WriteAllTextAsync(StatePath, """
            {"lastSyncTime":"2026-11-30T08:00:00+00:00","organization":null,"writtenFor":{"directorySync":"bitwarden/corp","organization":"3fa85f64-5717-4562-b3fc-2c963f66afa6"}}
            """);
        (await StateFile.LoadAsync(StatePath, CancellationToken.None)).Owner.Should().Be(Owner);
    }
}
