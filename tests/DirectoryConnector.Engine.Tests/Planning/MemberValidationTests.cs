using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Planning;
using DirectoryConnector.Engine.Sources;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Planning;

public sealed class MemberValidationTests
{
    [Fact]
    public void EmailsAreTrimmedAndLowercased()
    {
        var plan = new TestDirectory().User("ann", email: "  Ann.Smith@Example.COM \t").Plan();

        plan.Members.Should().ContainSingle().Which.Email.Should().Be("ann.smith@example.com");
    }

    [Fact]
    public void AUserWithoutEmailIsSkippedWithItsDnAndTheRestIsSent()
    {
        var plan = new TestDirectory().User("ann").User("nomail", email: null).User("blank", email: "   ").Plan();

        plan.Members.Select(m => m.Email).Should().Equal("ann@example.com");
        plan.Skipped.Should().BeEquivalentTo(new[]
        {
            new SkippedEntry(TestDirectory.UserDn("blank"), SkippedEntryKind.User, "has no email address: it is not sent"),
            new SkippedEntry(TestDirectory.UserDn("nomail"), SkippedEntryKind.User, "has no email address: it is not sent"),
        });
    }

    [Fact]
    public void EmailLengthLimitIs256Characters()
    {
        var longest = new string('a', 256 - "@example.com".Length) + "@example.com";
        var tooLong = "b" + longest;

        var plan = new TestDirectory().User("fits", email: longest).User("toolong", email: tooLong).Plan();

        plan.Members.Select(m => m.Email).Should().Equal(longest);
        plan.Skipped.Should().ContainSingle().Which.Should().Be(new SkippedEntry(TestDirectory.UserDn("toolong"), SkippedEntryKind.User,
            "has an email address of 257 characters; Bitwarden accepts at most 256: it is not sent"));
    }

    [Fact]
    public void AnActiveUserLeftOutForItsEmailStaysListedInItsGroupsSoTheMemberKeepsThem()
    {
        // The import replaces a group's membership; the server ignores external ids it does not know.
        var plan = new TestDirectory()
            .User("ann").User("bob", email: "bob.example.com").User("cat", email: null).User("old", email: "old.example.com", deleted: true)
            .Group("Team", "ann", "bob", "cat", "old")
            .Plan();

        plan.Members.Select(m => m.Email).Should().Equal("ann@example.com");
        plan.Skipped.Select(s => s.Entry).Should().BeEquivalentTo([TestDirectory.UserDn("bob"), TestDirectory.UserDn("cat"), TestDirectory.UserDn("old")]);
        plan.Groups.Single().MemberExternalIds.Should().BeEquivalentTo([TestDirectory.UserDn("ann"), TestDirectory.UserDn("bob")],
            "an active user whose email Bitwarden rejects is listed; one without an email, or removed, is not");
    }

    [Theory]
    [InlineData("@example.com")]
    [InlineData("ann@")]
    [InlineData("ann@b@example.com")]
    [InlineData("ann.example.com")]
    [InlineData("ann\n@example.com")]
    [InlineData("ann@exa\rmple.com")]
    public void AnEmailTheServerRejectsIsSkipped(string email)
    {
        var plan = new TestDirectory().User("ok").User("bad", email: email).Plan();

        plan.Members.Select(m => m.Email).Should().Equal("ok@example.com");
        var skipped = plan.Skipped.Should().ContainSingle().Subject;
        skipped.Entry.Should().Be(TestDirectory.UserDn("bad"));
        skipped.Reason.Should().Contain("Bitwarden rejects as invalid");
    }

    [Theory]
    [InlineData("a@b")]
    [InlineData("o'brien+tag@example.com")]
    [InlineData("j\u00fcrgen.m\u00fcller@example.com")] // non-ASCII local part (RFC 6531)
    [InlineData("eva@b\u00fccher.example")] // IDN domain
    [InlineData("\"ann smith\"@example.com")] // quoted local part
    [InlineData("li+bitwarden@example.com")] // plus addressing
    [InlineData("ops@[192.0.2.10]")] // address literal
    public void MailboxesAreSentAsWritten(string email)
    {
        var plan = new TestDirectory().User("ann", email: email).Plan();

        plan.Members.Should().ContainSingle().Which.Email.Should().Be(email);
        plan.Skipped.Should().BeEmpty();
    }

    // The server only counts '@' signs and would accept all of these; none is a mailbox an invitation can reach.
    [Theory]
    [InlineData("ann smith@example.com", "unquoted space")]
    [InlineData("Ann Smith <ann@example.com>", "display-name form")]
    [InlineData("ann@example.com.", "ends with a dot")]
    [InlineData("ann@localhost..example", "is not a host name")]
    [InlineData("ann..smith@example.com", "two dots in a row")]
    [InlineData("ann,smith@example.com", "only in quotes")]
    [InlineData("\"ann@example.com", "not closed")]
    [InlineData("ren\uFFFD@example.com", "bytes that were not valid text")] // Latin-1 'é' decoded leniently as UTF-8
    public void AddressesThatAreNoMailboxAreSkippedNamingWhereTheyCameFrom(string email, string why)
    {
        var snapshot = new DirectorySnapshot
        {
            Users = [new DirectoryUser("ref", "ext", email, false, false, "uid=ann") { EmailOrigin = "mail" }],
            Groups = [],
        };

        var plan = ImportPlanner.Plan(snapshot, new SyncOptionsSpec(), TestDirectory.Scope);

        plan.Members.Should().BeEmpty();
        var skipped = plan.Skipped.Should().ContainSingle().Subject;
        skipped.Entry.Should().Be("uid=ann");
        skipped.Reason.Should().Contain($"'{email.ToLowerInvariant()}' (from mail) that is not a mailbox").And.Contain(why);
    }

    [Fact]
    public void AnEmailInNfdIsSentInNfcSoTheSameAddressIsOneMember()
    {
        var plan = new TestDirectory().User("ann", email: "zoe\u0308@example.com").Plan();

        plan.Members.Should().ContainSingle().Which.Email.Should().Be("zo\u00eb@example.com", "RFC 6532 §3.1: internationalized addresses are compared in NFC");
    }

    [Fact]
    public void ExternalIdMustBePresentAndAtMost300Characters()
    {
        var plan = new TestDirectory()
            .User("fits", externalId: new string('x', 300))
            .User("toolong", externalId: new string('y', 301))
            .User("empty", externalId: " ")
            .Plan();

        plan.Members.Select(m => m.ExternalId).Should().Equal(new string('x', 300));
        plan.Skipped.Should().BeEquivalentTo(new[]
        {
            new SkippedEntry(TestDirectory.UserDn("empty"), SkippedEntryKind.User, "has no external id: it is not sent"),
            new SkippedEntry(TestDirectory.UserDn("toolong"), SkippedEntryKind.User, "has an external id of 301 characters; Bitwarden accepts at most 300: it is not sent"),
        });
    }

    [Fact]
    public void DisabledUsersStayMembersUnlessRemoveDisabledIsSet()
    {
        var directory = new TestDirectory().User("off", disabled: true).User("on");

        var keeping = directory.Plan();
        keeping.Members.Should().BeEquivalentTo(new[]
        {
            new PlannedMember("off@example.com", TestDirectory.UserDn("off"), Disabled: true, Deleted: false, TestDirectory.UserDn("off")),
            new PlannedMember("on@example.com", TestDirectory.UserDn("on"), Disabled: false, Deleted: false, TestDirectory.UserDn("on")),
        });

        var removing = directory.Plan(new SyncOptionsSpec { RemoveDisabled = true });
        removing.Members.Single(m => m.Email == "off@example.com").Deleted.Should().BeTrue();
        removing.Members.Single(m => m.Email == "on@example.com").Deleted.Should().BeFalse();
    }

    [Fact]
    public void DeletedUsersAreSentAsDeleted()
    {
        var plan = new TestDirectory().User("gone", deleted: true).Plan(new SyncOptionsSpec { OverwriteExisting = true });

        plan.Members.Should().ContainSingle().Which.Should().Be(
            new PlannedMember("gone@example.com", TestDirectory.UserDn("gone"), Disabled: false, Deleted: true, TestDirectory.UserDn("gone")));
    }

    [Fact]
    public void ADeletedUserWithoutAValidEmailIsSkippedSayingItIsNotRemoved()
    {
        var plan = new TestDirectory()
            .User("gone", email: null, deleted: true)
            .User("off", email: "not-an-email", disabled: true)
            .Plan(new SyncOptionsSpec { RemoveDisabled = true });

        plan.Members.Should().BeEmpty();
        plan.Skipped.Should().BeEquivalentTo(new[]
        {
            new SkippedEntry(TestDirectory.UserDn("gone"), SkippedEntryKind.User,
                "is deleted in the directory but has no email address, so it cannot be sent as removed (Vaultwarden needs a valid email to remove a member): the member is left as it is"),
            new SkippedEntry(TestDirectory.UserDn("off"), SkippedEntryKind.User,
                "is disabled in the directory and removeDisabled is set but has an email address 'not-an-email' that Bitwarden rejects as invalid (it needs exactly one '@', not at either end, and no line breaks), so it cannot be sent as removed (Vaultwarden needs a valid email to remove a member): the member is left as it is"),
        });
    }

    [Fact]
    public void MembersAreInCanonicalOrderByExternalId()
    {
        var plan = new TestDirectory()
            .User("b", externalId: "b-id").User("a", externalId: "a-id").User("C", externalId: "C-id").User("z", externalId: "_-id")
            .Plan();

        plan.Members.Select(m => m.ExternalId).Should().Equal("C-id", "_-id", "a-id", "b-id");
    }

    [Fact]
    public void WithUsersOffNoMembersAreSentButGroupsStillListValidUsers()
    {
        var plan = new TestDirectory()
            .User("ann").User("nomail", email: null).User("gone", deleted: true)
            .Group("G", "ann", "nomail", "gone")
            .Plan(new SyncOptionsSpec { Users = false });

        plan.Members.Should().BeEmpty();
        plan.MembersOf("G").Should().Equal("ann");
    }

    [Fact]
    public void WithGroupsOffNoGroupsAreSentOrReported()
    {
        var plan = new TestDirectory()
            .User("ann")
            .Group("G", "ann", "raw:cn=ghost")
            .GroupWith("Nameless", null, true, null, "ann")
            .Plan(new SyncOptionsSpec { Groups = false });

        plan.Groups.Should().BeEmpty();
        plan.Members.Should().ContainSingle();
        plan.Skipped.Should().BeEmpty();
    }

    [Fact]
    public void GroupNamesAndExternalIdsAreCheckedAgainstTheServerLimits()
    {
        var plan = new TestDirectory()
            .User("ann")
            .GroupWith("fits", new string('n', 100), true, new string('e', 300), "ann")
            .GroupWith("longname", new string('n', 101), true, null, "ann")
            .GroupWith("longid", "Long id", true, new string('e', 301), "ann")
            .GroupWith("blank", "  ", true, null, "ann")
            .GroupWith("unselected-nameless", null, false, null, "ann")
            .Plan();

        plan.Groups.Should().ContainSingle().Which.Name.Should().Be(new string('n', 100));
        plan.Skipped.Should().BeEquivalentTo(new[]
        {
            new SkippedEntry(TestDirectory.GroupDn("blank"), SkippedEntryKind.Group, "has no name: it is not sent (groups that contain it still get its members)"),
            new SkippedEntry(TestDirectory.GroupDn("longid"), SkippedEntryKind.Group, "has an external id of 301 characters; Bitwarden accepts at most 300: it is not sent (groups that contain it still get its members)"),
            new SkippedEntry(TestDirectory.GroupDn("longname"), SkippedEntryKind.Group, "has a name of 101 characters; Bitwarden accepts at most 100: it is not sent (groups that contain it still get its members)"),
        }, "a group the filter leaves out is not sent anyway, so its missing name is not a problem");
    }

    [Fact]
    public void TheSourcesSkippedEntriesComeFirstThenThePlannersInAStableOrder()
    {
        var directory = new TestDirectory().User("zed", email: null).User("amy", email: null).Group("G", "raw:cn=ghost");
        directory.SourceSkipped.Add(new SkippedEntry("cn=unreadable", SkippedEntryKind.User, "has an unreadable objectGUID"));

        var plan = directory.Plan();

        plan.Skipped.Select(s => s.Entry).Should().Equal("cn=unreadable", TestDirectory.UserDn("amy"), TestDirectory.UserDn("zed"), "cn=ghost");
    }
}
