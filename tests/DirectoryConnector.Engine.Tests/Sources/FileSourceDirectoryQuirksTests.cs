using System.Text;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Planning;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.File;
using DirectoryConnector.Engine.Sync;
using FluentAssertions;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Sources;

/// <summary>
/// LDIF exports read by the rules the LDAP source applies live: Active Directory range retrieval chunks, primary group
/// membership (primaryGroupID), contacts and computers, account locks of several servers, Unicode normal forms,
/// addresses built or read that are no mailbox, second values. All data here is the project's own.
/// </summary>
public sealed class FileSourceDirectoryQuirksTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("file-quirks-test-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private async Task<DirectorySnapshot> ReadAsync(string ldif, bool removeDisabled = false, Encoding? encoding = null)
    {
        var path = Path.Combine(_directory, $"{Guid.NewGuid():N}.ldif");
        await System.IO.File.WriteAllTextAsync(path, ldif, encoding ?? new UTF8Encoding(false));
        return await FileSource.Create(new FileSourceSpec { Path = path }, new InMemoryReferences(), NullLogger<FileSource>.Instance)
            .ReadAsync(new DirectoryQuery(Users: true, Groups: true, IncludeDeleted: false) { RemoveDisabled = removeDisabled }, CancellationToken.None);
    }

    private static ImportPlan Plan(DirectorySnapshot snapshot, bool removeDisabled = false)
        => ImportPlanner.Plan(snapshot, new SyncOptionsSpec { RemoveDisabled = removeDisabled }, "scope");

    private static string[] MembersOf(ImportPlan plan, string group)
    {
        var emails = plan.Members.ToDictionary(member => member.ExternalId, member => member.Email);
        return [.. plan.Groups.Single(g => g.Name == group).MemberExternalIds.Select(id => emails[id]).Order(StringComparer.Ordinal)];
    }

    private static string AdUser(string cn, string mail, string? extra = null) => $"""
        dn: CN={cn},OU=Crew,DC=ad,DC=field,DC=test
        objectClass: top
        objectClass: person
        objectClass: organizationalPerson
        objectClass: user
        cn: {cn}
        mail: {mail}
        sAMAccountType: 805306368
        userAccountControl: 512
        {extra}
        """ + "\n\n";

    private static string Users(int count) => string.Concat(Enumerable.Range(1, count).Select(i => AdUser($"User {i}", $"user{i}@field.test")));

    private static string Member(string range, params int[] users)
        => string.Concat(users.Select(i => $"member;range={range}: CN=User {i},OU=Crew,DC=ad,DC=field,DC=test\n"));

    private static string Group(string cn, string members) => $"dn: CN={cn},OU=Teams,DC=ad,DC=field,DC=test\nobjectClass: group\ncn: {cn}\n{members}\n";

    [Fact]
    public async Task A_group_holding_only_a_first_range_is_not_sent_and_neither_is_a_group_that_nests_it()
    {
        var ldif = Users(4)
            + Group("Partial", Member("0-1", 1, 2))
            + Group("Parent", "member: CN=Partial,OU=Teams,DC=ad,DC=field,DC=test\nmember: CN=User 4,OU=Crew,DC=ad,DC=field,DC=test\n")
            + Group("Plain", "member: CN=User 3,OU=Crew,DC=ad,DC=field,DC=test\n");

        var plan = Plan(await ReadAsync(ldif));

        plan.Groups.Select(group => group.Name).Should().Equal("Plain");
        var partial = plan.Skipped.Single(skipped => skipped.Entry.StartsWith("CN=Partial", StringComparison.Ordinal));
        partial.Reason.Should().Contain("holds only 2 member values (member;range=0-1)").And.Contain("range retrieval")
            .And.Contain("Bitwarden keeps the group's current members");
        plan.Skipped.Single(skipped => skipped.Entry.StartsWith("CN=Parent", StringComparison.Ordinal)).Reason
            .Should().Contain("gets members through CN=Partial,OU=Teams,DC=ad,DC=field,DC=test, whose member list is incomplete");
    }

    [Theory]
    [InlineData("0-*")] // one final chunk
    [InlineData("0-1|2-*")] // every chunk, as a script that follows the ranges writes them
    public async Task Ranged_chunks_that_end_in_a_final_range_are_the_whole_member_list(string ranges)
    {
        var chunks = ranges.Split('|');
        var members = new StringBuilder();
        for (var i = 0; i < chunks.Length; i++)
        {
            var values = chunks.Length == 1 ? new[] { 1, 2, 3, 4 } : i < 2 ? new[] { (2 * i) + 1, (2 * i) + 2 } : [];
            members.Append(Member(chunks[i], values));
        }

        var plan = Plan(await ReadAsync(Users(4) + Group("Whole", members.ToString())));

        MembersOf(plan, "Whole").Should().Equal("user1@field.test", "user2@field.test", "user3@field.test", "user4@field.test");
        plan.Skipped.Should().BeEmpty();
    }

    [Theory]
    [InlineData("0-1|3-*")] // a gap: value 2 is missing
    [InlineData("2-*")] // a range that does not start at 0
    [InlineData("0-1|2-3")] // no final range
    public async Task Ranged_chunks_with_a_gap_or_without_a_final_range_are_incomplete(string ranges)
    {
        var members = string.Concat(ranges.Split('|').Select(range => Member(range, 1)));

        var plan = Plan(await ReadAsync(Users(1) + Group("Gappy", members)));

        plan.Groups.Should().BeEmpty();
        plan.Skipped.Should().ContainSingle().Which.Reason.Should().Contain("not every range up to a final one ending in -*");
    }

    // S-1-5-21-100-200-300-<RID>, as AD stores objectSid (MS-DTYP 2.4.2.2).
    private const string DomainUsersSid = "AQUAAAAAAAUVAAAAZAAAAMgAAAAsAQAAAQIAAA=="; // RID 513
    private const string DeckSid = "AQUAAAAAAAUVAAAAZAAAAMgAAAAsAQAAFAUAAA=="; // RID 1300

    [Fact]
    public async Task Primary_group_membership_comes_from_primaryGroupID_and_reaches_parents_through_nesting()
    {
        var ldif = AdUser("Ada", "ada@field.test", "objectSid:: AQUAAAAAAAUVAAAAZAAAAMgAAAAsAQAAsQQAAA==\nprimaryGroupID: 513")
            + AdUser("Ben", "ben@field.test", "objectSid:: AQUAAAAAAAUVAAAAZAAAAMgAAAAsAQAAsgQAAA==\nprimaryGroupID: 513")
            + AdUser("Cid", "cid@field.test", "objectSid:: AQUAAAAAAAUVAAAAZAAAAMgAAAAsAQAAswQAAA==\nprimaryGroupID: 1300")
            + $"dn: CN=Domain Users,CN=Users,DC=ad,DC=field,DC=test\nobjectClass: group\ncn: Domain Users\nobjectSid:: {DomainUsersSid}\nmember: CN=Cid,OU=Crew,DC=ad,DC=field,DC=test\n\n"
            + $"dn: CN=Deck,OU=Teams,DC=ad,DC=field,DC=test\nobjectClass: group\ncn: Deck\nobjectSid:: {DeckSid}\n\n"
            + Group("Everyone", "member: CN=Domain Users,CN=Users,DC=ad,DC=field,DC=test\n");

        var plan = Plan(await ReadAsync(ldif));

        plan.Groups.Select(g => g.Name).Should().BeEquivalentTo("Domain Users", "Deck", "Everyone");
        MembersOf(plan, "Domain Users").Should().Equal("ada@field.test", "ben@field.test", "cid@field.test");
        MembersOf(plan, "Deck").Should().Equal("cid@field.test");
        MembersOf(plan, "Everyone").Should().Equal("ada@field.test", "ben@field.test", "cid@field.test");
        plan.Skipped.Should().BeEmpty();
    }

    [Fact]
    public async Task Contacts_and_computers_are_never_users_and_a_group_listing_them_says_so()
    {
        var ldif = AdUser("Ada", "ada@field.test")
            + "dn: CN=Connie,OU=Crew,DC=ad,DC=field,DC=test\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: contact\ncn: Connie\nmail: connie@partner.test\n\n"
            + "dn: CN=PC01,OU=Crew,DC=ad,DC=field,DC=test\nobjectClass: user\nobjectClass: computer\ncn: PC01\nmail: pc01@field.test\n\n"
            + Group("Mixed", "member: CN=Ada,OU=Crew,DC=ad,DC=field,DC=test\nmember: CN=Connie,OU=Crew,DC=ad,DC=field,DC=test\nmember: CN=PC01,OU=Crew,DC=ad,DC=field,DC=test\n");

        var plan = Plan(await ReadAsync(ldif));

        plan.Members.Select(member => member.Email).Should().Equal("ada@field.test");
        MembersOf(plan, "Mixed").Should().Equal("ada@field.test");
        plan.Skipped.Select(skipped => (skipped.Entry, skipped.Reason)).Should().BeEquivalentTo(new[]
        {
            ("CN=Connie,OU=Crew,DC=ad,DC=field,DC=test", "is listed as a member of CN=Mixed,OU=Teams,DC=ad,DC=field,DC=test but is a contact, not a user account: it is not added to any group"),
            ("CN=PC01,OU=Crew,DC=ad,DC=field,DC=test", "is listed as a member of CN=Mixed,OU=Teams,DC=ad,DC=field,DC=test but is a computer account, not a user account: it is not added to any group"),
        });
    }

    [Fact]
    public async Task Lock_attributes_in_an_export_mark_users_disabled_and_without_any_removeDisabled_says_it_cannot_tell()
    {
        static string Person(string uid, string extra) => $"dn: uid={uid},ou=People,dc=field,dc=test\nobjectClass: inetOrgPerson\nuid: {uid}\nmail: {uid}@field.test\n{extra}\n\n";
        var locked = Person("ivy", "nsAccountLock: TRUE") + Person("jay", "pwdAccountLockedTime: 000001010000Z")
            + Person("kim", "nsAccountLock: false") + Person("lou", "");

        var lockedPlan = Plan(await ReadAsync(locked, removeDisabled: true), removeDisabled: true);
        var unknownPlan = Plan(await ReadAsync(Person("kim", "") + Person("lou", ""), removeDisabled: true), removeDisabled: true);

        lockedPlan.Members.Where(member => member.Deleted).Select(member => member.Email).Should().BeEquivalentTo("ivy@field.test", "jay@field.test");
        lockedPlan.Warnings.Should().BeEmpty();
        unknownPlan.Members.Should().OnlyContain(member => !member.Deleted);
        unknownPlan.Warnings.Should().ContainSingle().Which.Should().StartWith("removeDisabled is on but has no effect: none of the 2 users")
            .And.Contain("nsAccountLock");
    }

    [Fact]
    public async Task A_member_written_in_NFD_and_another_case_is_the_user_whose_dn_is_NFC_also_from_UTF16_with_crlf()
    {
        // ldifde -u writes UTF-16LE with a byte order mark and CRLF line ends.
        var ldif = "dn: cn=Ren\u00e9 Lef\u00e8vre,ou=People,dc=field,dc=test\r\nobjectClass: inetOrgPerson\r\nmail: rene@field.test\r\n\r\n"
            + "dn: cn=Atelier,ou=Groups,dc=field,dc=test\r\nobjectClass: groupOfNames\r\ncn: Atelier\r\nmember: CN=RENE\u0301 LEFE\u0300VRE,OU=people,DC=field,DC=test\r\n";

        foreach (var encoding in new Encoding[] { new UTF8Encoding(false), new UnicodeEncoding(bigEndian: false, byteOrderMark: true) })
        {
            var plan = Plan(await ReadAsync(ldif, encoding: encoding));

            MembersOf(plan, "Atelier").Should().Equal("rene@field.test");
            plan.Skipped.Should().BeEmpty();
        }
    }

    [Fact]
    public async Task An_export_in_latin1_is_refused_naming_the_line_instead_of_sending_replacement_characters()
    {
        // Before: the file was decoded leniently and 'ren\uFFFD@field.test' was invited.
        var ldif = "dn: cn=Ren\u00e9,ou=People,dc=field,dc=test\nobjectClass: inetOrgPerson\nmail: ren\u00e9@field.test\n";

        var read = () => ReadAsync(ldif, encoding: Encoding.Latin1);

        var failure = (await read.Should().ThrowAsync<SyncFailedException>()).Which;
        failure.Reason.Should().Be(SyncFailureReason.InvalidSpec);
        failure.Message.Should().Contain("line 1 is not UTF-8 text (byte 0xE9").And.Contain("save it as UTF-8");
    }

    [Theory]
    [InlineData("utf-8")]
    [InlineData("utf-16")]
    [InlineData("utf-16BE")]
    [InlineData("utf-32")]
    public async Task An_export_with_a_byte_order_mark_is_read_in_its_encoding(string name)
    {
        var encoding = Encoding.GetEncoding(name);
        var ldif = "dn: cn=Ren\u00e9,ou=People,dc=field,dc=test\nobjectClass: inetOrgPerson\nmail: ren\u00e9@field.test\n";
        var path = Path.Combine(_directory, $"{Guid.NewGuid():N}.ldif");
        await System.IO.File.WriteAllBytesAsync(path, [.. encoding.GetPreamble(), .. encoding.GetBytes(ldif)]);

        var snapshot = await FileSource.Create(new FileSourceSpec { Path = path }, new InMemoryReferences(), NullLogger<FileSource>.Instance)
            .ReadAsync(new DirectoryQuery(Users: true, Groups: true, IncludeDeleted: false), CancellationToken.None);

        Plan(snapshot).Members.Single().Email.Should().Be("ren\u00e9@field.test");
    }

    [Fact]
    public void A_path_naming_a_folder_is_refused_as_bad_input_naming_the_field()
    {
        var create = () => FileSource.Create(new FileSourceSpec { Path = _directory }, new InMemoryReferences(), NullLogger<FileSource>.Instance);

        var failure = create.Should().Throw<SyncFailedException>().Which;
        failure.Reason.Should().Be(SyncFailureReason.InvalidSpec);
        failure.Message.Should().Be($"spec.source.file.path '{_directory}' is a directory: name the LDIF or JSON export file in it.");
    }

    [Fact]
    public async Task A_second_group_name_value_is_reported_and_the_first_is_used()
    {
        var ldif = AdUser("Ada", "ada@field.test") + Group("Ops", "cn: Operations\nmember: CN=Ada,OU=Crew,DC=ad,DC=field,DC=test\n");

        var plan = Plan(await ReadAsync(ldif));

        plan.Groups.Single().Name.Should().Be("Ops");
        plan.Warnings.Should().Equal("CN=Ops,OU=Teams,DC=ad,DC=field,DC=test has 2 cn values (Ops, Operations): the group name is the first, Ops; the others are ignored");
    }
}
