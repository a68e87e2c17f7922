using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.Ldap;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.TestSupport.Ldap;
using FluentAssertions;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Sources.LdapIncremental;

/// <summary>
/// Incremental reads on Active Directory (highestCommittedUSN, uSNChanged with the show-deleted control, the DC's
/// invocationId) against a Samba AD DC that only they and the prune tests change, through the engine and the Bitwarden stand-in.
/// </summary>
[Collection(WritableSambaCollectionDefinition.Name)]
public sealed class UsnSambaTests(WritableSambaFixture fixture)
{
    private const string Corp = SambaDomainController.CorpOu;
    private static readonly DirectoryQuery Everything = new(Users: true, Groups: true, IncludeDeleted: false);

    private SambaDomainController Dc => fixture.Controller;

    // StartTLS on 389 (the shared DC's tests use ldaps): the DC requires strong auth, its default.
    private LdapSourceSpec Spec() => Dc.SourceSpec(LdapEncryption.Ldaps);

    private LdapSource Source(LdapSourceSpec? spec = null, string password = SambaDomainController.AdministratorPassword)
        => LdapSource.Create(spec ?? Spec(), null, password, Dc.CaPem, new LdapSourceOptions(), NullLogger<LdapSource>.Instance);

    private static string AddUser(string cn, string sam, string? mail) =>
        $"dn: CN={cn},{Corp}\nchangetype: add\nobjectClass: user\nsAMAccountName: {sam}\nuserAccountControl: 544\n{(mail is null ? "" : $"mail: {mail}\n")}";

    private static string GroupLine(LdapSyncHarness harness, string name) => harness.Groups.Single(g => g.StartsWith(name + ":", StringComparison.Ordinal));

    [Fact]
    public async Task Nothing_changed_posts_nothing_and_every_kind_of_change_is_picked_up()
    {
        await using var harness = await LdapSyncHarness.StartAsync(Spec(), SambaDomainController.AdministratorPassword, Dc.CaPem);
        var first = await harness.SyncAsync();
        first.Result.Should().Be(SyncResult.Synced);
        first.State.SourceCursor.Should().StartWith("adusn:");
        await harness.ExpectUnchangedAsync();

        // A user added, and made a member.
        await Dc.ModifyAsync(AddUser("Frank Ford", "frank", "frank@test.local")
            + $"\ndn: CN=Inner,{Corp}\nchangetype: modify\nadd: member\nmember: CN=Frank Ford,{Corp}\n");
        var added = await harness.ExpectFullReadAsync("a user was added");
        added.FullReadReason.Should().Contain("uSNChanged above");
        harness.Members.Should().Contain("frank@test.local Invited");
        GroupLine(harness, "Inner").Should().Contain("frank@test.local");
        await harness.ExpectUnchangedAsync();

        // An attribute changed.
        await Dc.ModifyAsync($"dn: CN=Alice Adams,{Corp}\nchangetype: modify\nreplace: mail\nmail: alice.new@test.local\n");
        (await harness.ExpectFullReadAsync("an attribute changed")).Plan!.Members.Should().Contain(m => m.Email == "alice.new@test.local");
        await harness.ExpectUnchangedAsync();

        // A membership changed.
        await Dc.ModifyAsync($"dn: CN=Inner,{Corp}\nchangetype: modify\ndelete: member\nmember: CN=Carol Clark,{Corp}\n");
        await harness.ExpectFullReadAsync("a member was removed");
        GroupLine(harness, "Inner").Should().NotContain("carol@test.local");
        await harness.ExpectUnchangedAsync();

        // A user deleted.
        await Dc.ModifyAsync($"dn: CN=Frank Ford,{Corp}\nchangetype: delete\n");
        var deleted = await harness.ExpectFullReadAsync("a user was deleted: a cursor must never hide a deletion");
        deleted.Plan!.Members.Should().NotContain(m => m.Email == "frank@test.local");
        GroupLine(harness, "Inner").Should().NotContain("frank@test.local");
        await harness.ExpectUnchangedAsync();
    }

    [Fact]
    public async Task A_deletion_that_changes_no_group_is_still_seen_through_its_tombstone()
    {
        await Dc.ModifyAsync(AddUser("Gina Gray", "gina", "gina@test.local"));
        var source = Source();
        var read = await source.ReadAsync(Everything, CancellationToken.None);
        read.Users.Should().Contain(u => u.Email == "gina@test.local");
        (await source.ReadAsync(Everything with { Cursor = read.Cursor }, CancellationToken.None)).Unchanged.Should().BeTrue();

        // Gina is in no group (Domain Users is her primary group, not a member link): only her tombstone changes.
        await Dc.ModifyAsync($"dn: CN=Gina Gray,{Corp}\nchangetype: delete\n");
        var afterDelete = await source.ReadAsync(Everything with { Cursor = read.Cursor }, CancellationToken.None);

        afterDelete.Unchanged.Should().BeFalse("the tombstone in CN=Deleted Objects has a newer uSNChanged");
        afterDelete.FullReadReason.Should().Contain("Deleted Objects");
        afterDelete.Users.Should().NotContain(u => u.Email == "gina@test.local");
    }

    [Fact]
    public async Task A_change_to_a_computer_alone_skips_the_read_and_advances_the_cursor()
    {
        var source = Source();
        var read = await source.ReadAsync(Everything, CancellationToken.None);

        await Dc.ModifyAsync($"dn: CN=WS01,{Corp}\nchangetype: modify\nreplace: description\ndescription: rotated {Guid.NewGuid():N}\n");
        var again = await source.ReadAsync(Everything with { Cursor = read.Cursor }, CancellationToken.None);

        again.Unchanged.Should().BeTrue("computers are never users or groups of a sync");
        again.Cursor.Should().NotBe(read.Cursor, "the DC committed a change, so the cursor moves past it");
        (await source.ReadAsync(Everything with { Cursor = again.Cursor }, CancellationToken.None)).Unchanged.Should().BeTrue();
    }

    [Fact]
    public async Task A_cursor_of_another_dc_a_restored_dc_or_another_kind_of_server_means_a_full_read()
    {
        var source = Source();
        var read = await source.ReadAsync(Everything, CancellationToken.None);
        var parts = read.Cursor!.Split(':');
        parts.Should().HaveCount(4, "adusn:<dc>:<invocationId>:<highestCommittedUSN>");

        async Task<DirectorySnapshot> ReadWith(string cursor)
        {
            var snapshot = await source.ReadAsync(Everything with { Cursor = cursor }, CancellationToken.None);
            snapshot.Unchanged.Should().BeFalse();
            snapshot.Users.Should().HaveCount(read.Users.Count, "an unusable cursor means a full read");
            snapshot.Cursor.Should().Be(read.Cursor, "the fresh cursor is this DC's");
            return snapshot;
        }

        (await ReadWith($"adusn:0000000000000000:{parts[2]}:{parts[3]}")).FullReadReason.Should().Contain("another domain controller");
        (await ReadWith($"adusn:{parts[1]}:{Guid.NewGuid()}:{parts[3]}")).FullReadReason.Should().Contain("invocationId");
        (await ReadWith("rfc4533:cmlkPTAwMA==")).FullReadReason.Should().Contain("not written by");
        (await ReadWith("adusn:garbage")).FullReadReason.Should().Contain("not written by");

        // An older USN of the same DC: the objects changed since then are found.
        var older = long.Parse(parts[3], System.Globalization.CultureInfo.InvariantCulture) - 1;
        (await ReadWith($"adusn:{parts[1]}:{parts[2]}:{older}")).FullReadReason.Should().Contain("uSNChanged above");
    }

    [Fact]
    public async Task A_bind_account_that_cannot_list_tombstones_skips_a_read_only_when_the_dc_committed_nothing()
    {
        const string password = "Reader!Passw0rd1";
        await ServerProcess.RunToolAsync(ServerProcess.FindExecutable("samba-tool"),
            ["user", "create", "reader", password, "-H", $"ldap://{Dc.Address}", $"-U{SambaDomainController.AdministratorUpn}%{SambaDomainController.AdministratorPassword}"],
            CancellationToken.None);
        await Dc.ModifyAsync(AddUser("Hank Hill", "hank", "hank@test.local"));
        var spec = Spec();
        spec.Username = "reader@test.local";
        var source = Source(spec, password);
        var read = await source.ReadAsync(Everything, CancellationToken.None);
        read.Cursor.Should().StartWith("adusn:");
        read.Users.Should().Contain(u => u.Email == "hank@test.local");
        (await source.ReadAsync(Everything with { Cursor = read.Cursor }, CancellationToken.None)).Unchanged.Should().BeTrue("the DC committed nothing since");

        // A plain domain user may read the CN=Deleted Objects container but not list its tombstones, so a deletion
        // that changes no group (Hank's) would be invisible to it: any committed change means a full read.
        await Dc.ModifyAsync($"dn: CN=WS01,{Corp}\nchangetype: modify\nreplace: description\ndescription: rotated {Guid.NewGuid():N}\n");
        var afterComputer = await source.ReadAsync(Everything with { Cursor = read.Cursor }, CancellationToken.None);
        afterComputer.Unchanged.Should().BeFalse("without tombstones in sight a committed change cannot be ruled a non-deletion");
        afterComputer.FullReadReason.Should().Contain("cannot list CN=Deleted Objects");

        await Dc.ModifyAsync($"dn: CN=Hank Hill,{Corp}\nchangetype: delete\n");
        var afterDelete = await source.ReadAsync(Everything with { Cursor = afterComputer.Cursor }, CancellationToken.None);
        afterDelete.Unchanged.Should().BeFalse("a deletion is never hidden");
        afterDelete.Users.Should().NotContain(u => u.Email == "hank@test.local");
    }
}
