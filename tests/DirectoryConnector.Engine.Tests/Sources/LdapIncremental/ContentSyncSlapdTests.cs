using System.Text;
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
/// Incremental reads through LDAP Content Synchronization (RFC 4533) against a real slapd with the syncprov overlay,
/// through the engine and the Bitwarden stand-in. Each test has an organizational unit of its own under dc=sync,dc=test.
/// </summary>
[Collection(ContentSyncSlapdCollectionDefinition.Name)]
public sealed class ContentSyncSlapdTests(ContentSyncSlapdFixture fixture) : IAsyncLifetime
{
    private readonly string _root = $"ou=run-{Guid.NewGuid():N},dc=sync,dc=test";

    private string People => $"ou=People,{_root}";

    private string GroupsOu => $"ou=Groups,{_root}";

    public Task InitializeAsync() => fixture.Server.AddLdifAsync(fixture.Suffix, $"""
        dn: {_root}
        objectClass: organizationalUnit
        ou: {_root.Split(',')[0][3..]}

        dn: {People}
        objectClass: organizationalUnit
        ou: People

        dn: {GroupsOu}
        objectClass: organizationalUnit
        ou: Groups

        {Person("alice")}
        {Person("bob")}
        {Person("carol")}
        dn: cn=Engineering,{GroupsOu}
        objectClass: groupOfNames
        cn: Engineering
        member: uid=alice,{People}
        member: uid=bob,{People}

        dn: cn=Everyone,{GroupsOu}
        objectClass: groupOfNames
        cn: Everyone
        member: cn=Engineering,{GroupsOu}
        member: uid=carol,{People}

        """);

    public Task DisposeAsync() => Task.CompletedTask;

    private string Person(string uid) => $"""
        dn: uid={uid},{People}
        objectClass: inetOrgPerson
        uid: {uid}
        cn: {uid}
        sn: {uid}
        mail: {uid}@example.org

        """;

    private LdapSourceSpec Spec() => new()
    {
        Hostname = SlapdServer.Host,
        Port = fixture.Server.LdapPort,
        RootPath = _root,
        Username = fixture.Suffix.AdminDn,
        PasswordSecretRef = new SecretKeyRef { Name = "ldap-bind", Key = "password" },
    };

    private Task<LdapSyncHarness> HarnessAsync() => LdapSyncHarness.StartAsync(Spec(), fixture.Suffix.AdminPassword);

    private Task ModifyAsync(string ldif) => fixture.Server.ModifyAsync(fixture.Suffix, ldif);

    [Fact]
    public async Task Nothing_changed_posts_nothing_and_every_kind_of_change_is_picked_up()
    {
        await using var harness = await HarnessAsync();
        var first = await harness.SyncAsync();
        first.Result.Should().Be(SyncResult.Synced);
        first.State.SourceCursor.Should().StartWith("rfc4533:", "slapd with syncprov offers LDAP Content Synchronization");
        harness.Groups.Should().Equal("Engineering: alice@example.org bob@example.org", "Everyone: alice@example.org bob@example.org carol@example.org");
        await harness.ExpectUnchangedAsync();

        // A user added, and made a member.
        await fixture.Server.AddLdifAsync(fixture.Suffix, Person("dave"));
        await ModifyAsync($"dn: cn=Engineering,{GroupsOu}\nchangetype: modify\nadd: member\nmember: uid=dave,{People}\n");
        var added = await harness.ExpectFullReadAsync("a user was added");
        added.FullReadReason.Should().Contain("added or changed");
        harness.Members.Should().Contain("dave@example.org Invited");
        harness.Groups.Should().Contain("Engineering: alice@example.org bob@example.org dave@example.org");
        await harness.ExpectUnchangedAsync();

        // An attribute changed.
        await ModifyAsync($"dn: uid=carol,{People}\nchangetype: modify\nreplace: mail\nmail: carol.new@example.org\n");
        var changed = await harness.ExpectFullReadAsync("an attribute changed");
        changed.Plan!.Members.Should().Contain(m => m.Email == "carol.new@example.org");
        await harness.ExpectUnchangedAsync();

        // A user deleted: slapd keeps no tombstone, only the sync state shows it.
        await ModifyAsync($"dn: cn=Engineering,{GroupsOu}\nchangetype: modify\ndelete: member\nmember: uid=bob,{People}\n");
        await harness.ExpectFullReadAsync("a membership changed");
        (await harness.ExpectUnchangedAsync()).State.GroupsHash.Should().NotBe(first.State.GroupsHash);
        await ModifyAsync($"dn: uid=bob,{People}\nchangetype: delete\n");
        var deleted = await harness.ExpectFullReadAsync("a user was deleted: a cursor must never hide a deletion");
        deleted.FullReadReason.Should().Contain("deleted or moved");
        deleted.Plan!.Members.Should().NotContain(m => m.Email == "bob@example.org");
        harness.Groups.Should().Equal("Engineering: alice@example.org dave@example.org",
            "Everyone: alice@example.org carol@example.org dave@example.org");
        await harness.ExpectUnchangedAsync();

        // A group membership changed through a nested group.
        await ModifyAsync($"dn: cn=Everyone,{GroupsOu}\nchangetype: modify\ndelete: member\nmember: cn=Engineering,{GroupsOu}\n");
        await harness.ExpectFullReadAsync("a nested group was removed from its parent");
        harness.Groups.Should().Contain("Everyone: carol@example.org", "Bitwarden keeps a linked member's first email");
        await harness.ExpectUnchangedAsync();
    }

    [Fact]
    public async Task A_directory_larger_than_the_readers_size_limit_syncs_in_full_and_keeps_its_cursor()
    {
        // A reader that is not the root DN: slapd caps its searches at the fixture's size limit, pages included.
        const string readerPassword = "sync-reader-secret";
        var reader = $"cn=reader,{_root}";
        await fixture.Server.AddLdifAsync(fixture.Suffix,
            $"dn: {reader}\nobjectClass: person\ncn: reader\nsn: reader\nuserPassword: {readerPassword}\n\n"
            + string.Join("\n", Enumerable.Range(0, 6).Select(i => Person($"extra{i}"))));
        var spec = Spec();
        spec.Username = reader;
        spec.PageSize = ContentSyncSlapdFixture.SizeLimit;
        await using var harness = await LdapSyncHarness.StartAsync(spec, readerPassword);

        var first = await harness.SyncAsync();

        first.Result.Should().Be(SyncResult.Synced);
        first.Plan!.Members.Should().HaveCount(9, "every user is read although the account may see only 5 entries a search");
        first.State.SourceCursor.Should().StartWith("rfc4533:", "the content-sync refresh is paged like the read, so the size limit does not cost the cursor");
        await harness.ExpectUnchangedAsync();

        await ModifyAsync($"dn: uid=extra3,{People}\nchangetype: modify\nreplace: mail\nmail: extra3.new@example.org\n");
        (await harness.ExpectFullReadAsync("a user changed")).Plan!.Members.Should().Contain(m => m.Email == "extra3.new@example.org");
        await harness.ExpectUnchangedAsync();

        await ModifyAsync($"dn: uid=extra5,{People}\nchangetype: delete\n");
        var deleted = await harness.ExpectFullReadAsync("a user was deleted: a cursor must never hide a deletion");
        deleted.Plan!.Members.Should().HaveCount(8).And.NotContain(m => m.Email == "extra5@example.org");
        await harness.ExpectUnchangedAsync();

        // More changes than the account may see in one search: still picked up.
        foreach (var i in Enumerable.Range(0, 6))
        {
            await fixture.Server.AddLdifAsync(fixture.Suffix, Person($"late{i}"));
        }

        var many = await harness.ExpectFullReadAsync("six users were added");
        many.Plan!.Members.Should().HaveCount(14);
        await harness.ExpectUnchangedAsync();
    }

    [Fact]
    public async Task A_corrupted_or_unknown_cookie_means_a_full_read_that_says_why()
    {
        await using var harness = await HarnessAsync();
        await harness.SyncAsync();

        harness.State = harness.State! with { SourceCursor = "rfc4533:not base64 at all" };
        var corrupted = await harness.ExpectFullReadAsync("a cursor that cannot be decoded proves nothing");
        corrupted.FullReadReason.Should().Contain("not written by");
        corrupted.State.SourceCursor.Should().StartWith("rfc4533:").And.NotBe("rfc4533:not base64 at all");
        await harness.ExpectUnchangedAsync();

        // Well-formed, but a state this server never issued (a CSN from years ago).
        var unknown = "rfc4533:" + Convert.ToBase64String(Encoding.UTF8.GetBytes("rid=000,csn=20200101000000.000000Z#000000#000#000000"));
        harness.State = harness.State! with { SourceCursor = unknown };
        var stale = await harness.ExpectFullReadAsync("a cookie the server does not know proves nothing");
        stale.State.SourceCursor.Should().NotBe(unknown);
        stale.Plan!.Members.Should().HaveCount(3);
        await harness.ExpectUnchangedAsync();

        // A cursor of another kind of server.
        harness.State = harness.State! with { SourceCursor = "adusn:0123456789abcdef:00000000-0000-0000-0000-000000000000:42" };
        (await harness.ExpectFullReadAsync("an Active Directory cursor means nothing to slapd")).FullReadReason.Should().Contain("not written by");
    }

    [Fact]
    public async Task Force_reads_in_full_and_a_change_outside_rootPath_never_hides_one_inside()
    {
        await using var harness = await HarnessAsync();
        await harness.SyncAsync();

        var forced = await harness.SyncAsync(new SyncRunOptions(Force: true));
        forced.SourceUnchanged.Should().BeFalse("--force never uses the cursor");
        forced.Result.Should().Be(SyncResult.Synced);

        // Another organizational unit of the same database changes, then one inside rootPath.
        var elsewhere = $"ou=elsewhere-{Guid.NewGuid():N},dc=sync,dc=test";
        await fixture.Server.AddLdifAsync(fixture.Suffix, $"dn: {elsewhere}\nobjectClass: organizationalUnit\nou: {elsewhere.Split(',')[0][3..]}\n");
        await ModifyAsync($"dn: uid=alice,{People}\nchangetype: delete\n");
        await ModifyAsync($"dn: cn=Engineering,{GroupsOu}\nchangetype: modify\ndelete: member\nmember: uid=alice,{People}\n");
        var outcome = await harness.ExpectFullReadAsync("alice was deleted");
        outcome.Plan!.Members.Should().NotContain(m => m.Email == "alice@example.org");
        harness.Groups.Should().Contain("Engineering: bob@example.org");
    }

    [Fact]
    public async Task The_source_returns_no_users_or_groups_when_it_reports_nothing_changed()
    {
        var source = LdapSource.Create(Spec(), null, fixture.Suffix.AdminPassword, null, new LdapSourceOptions(), NullLogger<LdapSource>.Instance);
        var everything = new DirectoryQuery(Users: true, Groups: true, IncludeDeleted: false);
        var first = await source.ReadAsync(everything, CancellationToken.None);
        first.Users.Should().HaveCount(3);

        var again = await source.ReadAsync(everything with { Cursor = first.Cursor }, CancellationToken.None);

        again.Unchanged.Should().BeTrue();
        again.Cursor.Should().Be(first.Cursor, "slapd's cookie stays while nothing changes");
        again.Users.Should().BeEmpty();
        again.Groups.Should().BeEmpty();
        again.FullReadReason.Should().BeNull();
    }
}
