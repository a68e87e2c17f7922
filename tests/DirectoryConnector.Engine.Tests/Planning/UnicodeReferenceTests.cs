// Test names are sentences.

using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Planning;
using DirectoryConnector.Engine.Sources;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Planning;

/// <summary>The planner matches every source's references under Unicode canonical equivalence (NFC), not only the
/// LDAP source's DNs, which fold themselves: a JSON export, a SaaS name or a memberUid may arrive decomposed.</summary>
public sealed class UnicodeReferenceTests
{
    // "josé" precomposed (U+00E9) and decomposed (e + U+0301); the group "Équipe" likewise.
    private const string JoseNfc = "jos\u00e9";
    private const string JoseNfd = "jose\u0301";
    private const string TeamNfc = "\u00c9quipe";
    private const string TeamNfd = "E\u0301quipe";

    [Fact]
    public void A_member_reference_in_NFD_reaches_the_user_and_the_nested_group_whose_references_are_NFC()
    {
        var snapshot = new DirectorySnapshot
        {
            Users = [new DirectoryUser(JoseNfc, "u-1", "jose@example.com", Disabled: false, Deleted: false, JoseNfc)],
            Groups =
            [
                new DirectoryGroup(TeamNfc, "g-1", "Équipe", [JoseNfd], Selected: true, TeamNfc),
                new DirectoryGroup("all", "g-2", "All", [TeamNfd], Selected: true, "all"),
            ],
        };

        var plan = ImportPlanner.Plan(snapshot, new SyncOptionsSpec(), TestDirectory.Scope);

        plan.Groups.Select(g => (g.Name, string.Join(",", g.MemberExternalIds))).Should().BeEquivalentTo(new[] { ("Équipe", "u-1"), ("All", "u-1") });
        plan.Skipped.Should().BeEmpty();
    }

    [Fact]
    public void References_that_differ_in_case_stay_different_because_saas_object_ids_are_case_sensitive()
    {
        var snapshot = new DirectorySnapshot
        {
            Users = [new DirectoryUser("abC", "u-1", "ann@example.com", Disabled: false, Deleted: false, "abC")],
            Groups = [new DirectoryGroup("g", "g-1", "Team", ["ABC"], Selected: true, "g")],
        };

        var plan = ImportPlanner.Plan(snapshot, new SyncOptionsSpec(), TestDirectory.Scope);

        plan.Groups.Single().MemberExternalIds.Should().BeEmpty();
        plan.Skipped.Should().ContainSingle().Which.Entry.Should().Be("ABC");
    }
}
