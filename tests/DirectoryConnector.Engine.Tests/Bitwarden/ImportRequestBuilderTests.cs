// Test names are sentences.

using DirectoryConnector.Engine.Bitwarden;
using DirectoryConnector.Engine.Sync;
using FluentAssertions;
using Xunit;
using static DirectoryConnector.Engine.Tests.Bitwarden.BitwardenTestKit;

namespace DirectoryConnector.Engine.Tests.Bitwarden;

public class ImportRequestBuilderTests
{
    private static readonly string[] Names = [.. Enumerable.Range(0, 5000).Select(i => $"user{i:D5}")];

    [Fact]
    public void A_small_plan_is_one_request_with_both_parts_and_no_large_import()
    {
        var plan = Plan([PlannedMember("ann"), PlannedMember("bob", disabled: true, deleted: true)], [PlannedGroup("Dev", "cn=Dev", "ann")]);

        var request = ImportRequestBuilder.Build(plan, sendMembers: true, sendGroups: true, inviteUsersAfterProvisioning: false).Should().ContainSingle().Subject;

        request.Members.Should().Equal(new ImportMemberRequest("ann@corp.example.com", "uid=ann,ou=People", false),
            new ImportMemberRequest("bob@corp.example.com", "uid=bob,ou=People", true));
        request.Groups.Should().ContainSingle().Which.MemberExternalIds.Should().Equal("uid=ann,ou=People");
        request.LargeImport.Should().BeFalse();
        request.OverwriteExisting.Should().BeFalse();
        request.InviteUsersAfterProvisioning.Should().BeFalse();
    }

    [Fact]
    public void A_part_that_is_not_sent_is_an_empty_array_never_null()
    {
        var plan = Plan([PlannedMember("ann")], [PlannedGroup("Dev", "cn=Dev", "ann")]);

        var onlyGroups = ImportRequestBuilder.Build(plan, sendMembers: false, sendGroups: true, inviteUsersAfterProvisioning: true).Single();
        var onlyMembers = ImportRequestBuilder.Build(plan, sendMembers: true, sendGroups: false, inviteUsersAfterProvisioning: true).Single();

        onlyGroups.Members.Should().NotBeNull().And.BeEmpty();
        onlyGroups.Groups.Should().HaveCount(1);
        onlyMembers.Groups.Should().NotBeNull().And.BeEmpty();
        onlyMembers.Members.Should().HaveCount(1);
        ImportRequestBuilder.Build(plan, sendMembers: false, sendGroups: false, inviteUsersAfterProvisioning: true).Should().BeEmpty();
    }

    [Fact]
    public void Exactly_the_batch_size_is_still_one_request()
    {
        var plan = Plan(Names.Take(1500).Select(n => PlannedMember(n)), Enumerable.Range(0, 500).Select(i => PlannedGroup($"G{i}", $"cn=G{i}")));

        ImportRequestBuilder.Build(plan, true, true, true).Should().ContainSingle().Which.LargeImport.Should().BeFalse();
    }

    [Fact]
    public void Over_the_batch_size_members_go_first_then_groups_in_chunks_of_2000_with_large_import()
    {
        var plan = Plan(Names.Take(4500).Select(n => PlannedMember(n)), Enumerable.Range(0, 2500).Select(i => PlannedGroup($"G{i}", $"cn=G{i:D4}", Names[i])));

        var requests = ImportRequestBuilder.Build(plan, true, true, inviteUsersAfterProvisioning: true);

        requests.Select(r => (r.Members.Count, r.Groups.Count)).Should().Equal((2000, 0), (2000, 0), (500, 0), (0, 2000), (0, 500));
        requests.Should().OnlyContain(r => r.LargeImport && !r.OverwriteExisting && r.InviteUsersAfterProvisioning);
        requests.SelectMany(r => r.Members).Select(m => m.ExternalId).Should().Equal(plan.Members.Select(m => m.ExternalId));
        requests.SelectMany(r => r.Groups).Select(g => g.ExternalId).Should().Equal(plan.Groups.Select(g => g.ExternalId));
    }

    [Fact]
    public void Overwrite_existing_that_would_need_several_requests_is_refused_with_the_reason()
    {
        var plan = Plan(Names.Take(2001).Select(n => PlannedMember(n)), [], overwrite: true);

        var failure = FluentActions.Invoking(() => ImportRequestBuilder.Build(plan, true, true, true)).Should().Throw<SyncFailedException>().Which;

        failure.Reason.Should().Be(SyncFailureReason.InvalidSpec);
        failure.Retryable.Should().BeFalse();
        failure.Message.Should().Contain("spec.sync.overwriteExisting").And.Contain("each request would remove the members of the other requests");
    }

    [Fact]
    public void Overwrite_existing_always_sends_members_and_groups_together()
    {
        var plan = Plan([PlannedMember("ann")], [PlannedGroup("Dev", "cn=Dev", "ann")], overwrite: true);

        // Only the groups changed, but a request without members would remove every synced member.
        var request = ImportRequestBuilder.Build(plan, sendMembers: false, sendGroups: true, inviteUsersAfterProvisioning: true).Should().ContainSingle().Subject;

        request.OverwriteExisting.Should().BeTrue();
        request.Members.Should().ContainSingle();
        request.Groups.Should().ContainSingle();
        ImportRequestBuilder.Build(plan, sendMembers: false, sendGroups: false, inviteUsersAfterProvisioning: true).Should().ContainSingle()
            .Which.Members.Should().ContainSingle();
    }

    [Fact]
    public void Overwrite_existing_without_any_active_member_is_refused_instead_of_removing_everyone()
    {
        var plan = Plan([PlannedMember("gone", disabled: true, deleted: true)], [], overwrite: true);

        FluentActions.Invoking(() => ImportRequestBuilder.Build(plan, true, true, true)).Should().Throw<SyncFailedException>()
            .Which.Reason.Should().Be(SyncFailureReason.SourceEmpty);
    }

    [Theory]
    [InlineData(0, 0, false)]
    [InlineData(1500, 500, false)]
    [InlineData(1500, 501, false)]
    [InlineData(4500, 2500, false)]
    [InlineData(4000, 0, false)]
    [InlineData(0, 2001, false)]
    [InlineData(3, 2, true)]
    public void Count_is_the_number_of_requests_build_returns_for_every_choice_of_parts(int memberCount, int groupCount, bool overwrite)
    {
        var plan = Plan(Names.Take(memberCount).Select(n => PlannedMember(n)), Enumerable.Range(0, groupCount).Select(i => PlannedGroup($"G{i}", $"cn=G{i:D4}")), overwrite);

        foreach (var (members, groups) in new[] { (true, true), (true, false), (false, true), (false, false) })
        {
            ImportRequestBuilder.Count(plan, members, groups).Should().Be(ImportRequestBuilder.Build(plan, members, groups, true).Count, $"members {members}, groups {groups}");
        }
    }

    [Fact]
    public void Count_refuses_what_build_refuses()
    {
        var tooLarge = Plan(Names.Take(2001).Select(n => PlannedMember(n)), [], overwrite: true);
        var noActiveMember = Plan([PlannedMember("gone", disabled: true, deleted: true)], [], overwrite: true);

        FluentActions.Invoking(() => ImportRequestBuilder.Count(tooLarge, true, true)).Should().Throw<SyncFailedException>()
            .Which.Reason.Should().Be(SyncFailureReason.InvalidSpec);
        FluentActions.Invoking(() => ImportRequestBuilder.Count(noActiveMember, false, true)).Should().Throw<SyncFailedException>()
            .Which.Reason.Should().Be(SyncFailureReason.SourceEmpty);
    }
}
