using System.Security.Cryptography;
using System.Text;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Planning;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Planning;

public sealed class ContentHashTests
{
    private static TestDirectory Directory() => new TestDirectory()
        .User("ann").User("bob").User("cid", disabled: true)
        .Group("Team", "ann", "Sub").Group("Sub", "bob", "cid");

    [Fact]
    public void HashesAreSha256OfTheScopeAndTheCanonicalJsonAsPosted()
    {
        var plan = new TestDirectory().User("ann", externalId: "u-1").User("bob", externalId: "u-0").Group("Dev", "ann", "bob").Plan();

        const string members = """{"members":[{"email":"bob@example.com","externalId":"u-0","deleted":false},{"email":"ann@example.com","externalId":"u-1","deleted":false}],"overwriteExisting":false}""";
        var groups = $$"""{"groups":[{"name":"Dev","externalId":"{{TestDirectory.GroupDn("Dev")}}","memberExternalIds":["u-0","u-1"]}]}""";
        plan.MembersHash.Should().Be(Sha256Hex(TestDirectory.Scope + "\n" + members));
        plan.GroupsHash.Should().Be(Sha256Hex(TestDirectory.Scope + "\n" + groups));
    }

    [Fact]
    public void TheSameDirectoryGivesTheSameHashesEveryRun()
    {
        var first = Directory().Plan();
        var second = Directory().Plan();

        second.MembersHash.Should().Be(first.MembersHash).And.MatchRegex("^[0-9a-f]{64}$");
        second.GroupsHash.Should().Be(first.GroupsHash).And.MatchRegex("^[0-9a-f]{64}$");
    }

    [Fact]
    public void ChangingOneMembersEmailChangesOnlyTheMembersHash()
    {
        var before = Directory().Plan();
        var directory = Directory();
        directory.Users[0] = directory.Users[0] with { Email = "ann.new@example.com" };

        var after = directory.Plan();

        after.MembersHash.Should().NotBe(before.MembersHash);
        after.GroupsHash.Should().Be(before.GroupsHash);
    }

    [Fact]
    public void DisablingAMemberWithRemoveDisabledChangesOnlyTheMembersHash()
    {
        var options = new SyncOptionsSpec { RemoveDisabled = true };
        var before = new TestDirectory().User("ann").User("bob").Group("Team", "ann").Plan(options);
        var after = new TestDirectory().User("ann").User("bob", disabled: true).Group("Team", "ann").Plan(options);

        after.MembersHash.Should().NotBe(before.MembersHash);
        after.GroupsHash.Should().Be(before.GroupsHash);
    }

    [Fact]
    public void ChangingAGroupsMembershipChangesOnlyTheGroupsHash()
    {
        var before = Directory().Plan();
        var after = new TestDirectory()
            .User("ann").User("bob").User("cid", disabled: true)
            .Group("Team", "ann", "Sub").Group("Sub", "bob").Plan();

        after.GroupsHash.Should().NotBe(before.GroupsHash);
        after.MembersHash.Should().Be(before.MembersHash);
    }

    [Fact]
    public void RenamingAGroupChangesOnlyTheGroupsHash()
    {
        var before = Directory().Plan();
        var after = new TestDirectory()
            .User("ann").User("bob").User("cid", disabled: true)
            .GroupWith("Team", "Team (renamed)", true, null, "ann", "Sub").Group("Sub", "bob", "cid").Plan();

        after.GroupsHash.Should().NotBe(before.GroupsHash);
        after.MembersHash.Should().Be(before.MembersHash);
    }

    [Fact]
    public void AnotherOrganizationChangesBothHashes()
    {
        var before = Directory().Plan();
        var after = Directory().Plan(scope: "https://api.example.test|99999999-2222-3333-4444-555555555555");

        after.MembersHash.Should().NotBe(before.MembersHash);
        after.GroupsHash.Should().NotBe(before.GroupsHash);
    }

    [Fact]
    public void TurningOnOverwriteExistingChangesTheMembersHash()
    {
        var before = Directory().Plan();
        var after = Directory().Plan(new SyncOptionsSpec { OverwriteExisting = true });

        after.MembersHash.Should().NotBe(before.MembersHash);
        after.GroupsHash.Should().Be(before.GroupsHash);
    }

    [Fact]
    public void LargePlansHashTheSameAsTheirJsonWrittenInOnePiece()
    {
        // Far more than the streaming buffer, with non-ASCII text that JSON escapes.
        var directory = new TestDirectory();
        for (var i = 0; i < 3000; i++)
        {
            directory.User($"user{i:D4}", email: $"usér{i}@exämple.com");
        }

        directory.Group("Everyone", [.. Enumerable.Range(0, 3000).Select(i => $"user{i:D4}")]);
        var plan = directory.Plan();

        var json = new StringBuilder("""{"members":[""");
        json.AppendJoin(',', plan.Members.Select(m => System.Text.Json.JsonSerializer.Serialize(new { email = m.Email, externalId = m.ExternalId, deleted = m.Deleted })));
        json.Append("""],"overwriteExisting":false}""");
        plan.MembersHash.Should().Be(Sha256Hex(TestDirectory.Scope + "\n" + json));
    }

    private static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
