// Test names are sentences.

using DirectoryConnector.Engine.Sync;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Sources.Okta;

/// <summary>The planner's mailbox rule reaches Okta too: an address that is no mailbox is skipped, naming the profile
/// property it came from, and never sent.</summary>
public sealed class OktaFieldQuirksTests
{
    [Fact]
    public async Task An_address_that_is_no_mailbox_is_skipped_naming_profile_email_and_the_rest_is_synced()
    {
        await using var harness = await OktaHarness.StartAsync();
        harness.Okta.Directory.AddEveryone();
        harness.Okta.Directory.AddUser("ann@example.com");
        var bob = harness.Okta.Directory.AddUser("bob@example.com", email: "Bob Berg <bob@example.com>");

        var outcome = await harness.SyncAsync();

        outcome.Result.Should().Be(SyncResult.Synced);
        harness.Members.Should().Equal("ann@example.com Invited");
        var skipped = outcome.Plan!.Skipped.Should().ContainSingle().Which;
        skipped.Entry.Should().Be($"{bob.Id} (bob@example.com)");
        skipped.Reason.Should().Be("has an email address 'bob berg <bob@example.com>' (from profile.email) that is not a mailbox an invitation can reach: "
            + "it is in display-name form (Name <address>): store the address alone: it is not sent");
    }
}
