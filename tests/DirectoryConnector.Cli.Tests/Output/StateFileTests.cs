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
        ownerAgain.Should().Be(Owner);
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
        text.Should().StartWith("{\n  \"membersHash\": \"m1\",");
        using var json = JsonDocument.Parse(text);
        json.RootElement.GetProperty("managedMembers").EnumerateArray().Select(e => e.GetString()).Should().Equal(Members);
        json.RootElement.GetProperty("writtenFor").GetProperty("directorySync").GetString().Should().Be("bitwarden/corp");
    }

    [Fact]
    public async Task A_managed_set_that_holds_no_external_ids_is_refused_when_read()
    {
        await File.WriteAllTextAsync(StatePath, """{"membersHash":"m1","managedMembers":["uid=a",42]}""");

        var load = () => StateFile.LoadAsync(StatePath, CancellationToken.None);

        (await load.Should().ThrowAsync<ManifestException>()).Which.Message.Should().Contain("not a sync state written by this tool");
    }

    [Fact]
    public async Task A_file_that_is_no_JSON_is_refused_naming_the_place_without_quoting_it()
    {
        await File.WriteAllTextAsync(StatePath, "{\n  \"this is\": not json,, hunter2\n}");

        var load = () => StateFile.LoadAsync(StatePath, CancellationToken.None);

        var message = (await load.Should().ThrowAsync<ManifestException>()).Which.Message;
        message.Should().Be($"--state {StatePath}: not a sync state written by this tool (unexpected content at line 2, byte 15); delete it to start over");
    }
}
