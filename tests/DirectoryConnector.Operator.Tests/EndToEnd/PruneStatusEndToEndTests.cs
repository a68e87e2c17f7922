using DirectoryConnector.Engine.Sources.File;
using DirectoryConnector.Operator.Reconciliation;
using DirectoryConnector.Operator.Resources;
using DirectoryConnector.TestSupport.Bitwarden;
using FluentAssertions;
using k8s.Models;
using Xunit;
using Xunit.Abstractions;
using static DirectoryConnector.Operator.Tests.EndToEnd.OperatorEnvironment;

namespace DirectoryConnector.Operator.Tests.EndToEnd;

/// <summary>
/// What prune, removeDisabled, a dry run, the deletion guard and a bitwarden/server#4117 conflict write to a
/// DirectorySync's status and events, as the Kubernetes API (emulator) stores them: the real operator syncs an LDIF
/// export from a ConfigMap into the Bitwarden stand-in.
/// </summary>
public sealed class PruneStatusEndToEndTests(ITestOutputHelper output)
{
    private const string LdifKey = "directory.ldif";
    private const string Suffix = "ou=People,dc=corp,dc=example";

    private static string Person(string cn, string? mail, bool disabled = false, string? secondMail = null)
        => $"dn: cn={cn},{Suffix}\nobjectClass: inetOrgPerson\ncn: {cn}\nsn: {cn}\n"
           + (mail is null ? "" : $"mail: {mail}\n") + (secondMail is null ? "" : $"mail: {secondMail}\n")
           + $"userAccountControl: {(disabled ? 514 : 512)}\n";

    private static string Directory(params string[] entries) => "version: 1\n\n" + string.Join('\n', entries);

    private static string Dn(string cn) => $"cn={cn},{Suffix}";

    [Fact]
    public async Task PruneADryRunTheDeletionGuardAndAConflictWriteTheirCountsSamplesAndEventsToTheStatus()
    {
        await using var env = await StartAsync(output);
        await env.PutApiKeySecretAsync();
        await env.PutDirectoryAsync(new Dictionary<string, string>
        {
            [LdifKey] = Directory(Person("Ann", "ann@corp.example"), Person("Ben", "ben@corp.example"), Person("Cat", "cat@corp.example"),
                Person("Dan", mail: null), Person("Fay", "fay@corp.example", secondMail: "fay.lee@corp.example")),
        });
        await env.StartOperatorAsync();
        var spec = env.Spec(LdifKey);
        spec.Source.File!.Format = FileFormat.Ldif;
        spec.Sync.Prune = true;
        spec.Sync.RemoveDisabled = true;
        spec.Sync.MaxDeletions = "1";

        // 1. First sync: who was added, what was left out and what the data made the sync ignore.
        await env.CreateDirectorySyncAsync("corp", spec);
        var first = (await env.WaitForAsync("corp", s => IsReady(s, "Synced"), "Ready=True/Synced")).Status!;
        first.LastChanges.Should().BeEquivalentTo(new { Added = 4, Removed = 0, Conflicts = 0 }, o => o.ExcludingMissingMembers());
        first.SkippedCount.Should().Be(1);
        first.SampleSkipped.Should().ContainSingle().Which.Should().Contain(Dn("Dan")).And.Contain("no email");
        first.Warnings.Should().ContainSingle().Which.Should().Contain(Dn("Fay")).And.Contain("fay.lee@corp.example");
        ManagedSetEncoding.Decode(first.ManagedMembers).Should().Equal(Dn("Ann"), Dn("Ben"), Dn("Cat"), Dn("Fay"));
        (await WaitForEventAsync(env, "OrganizationChanged")).Message.Should().StartWith("4 added (");

        // 2. A dry run of Ben's account being disabled and Eve joining: the counts a sync would report, nothing posted.
        await env.PatchAsync("corp", new { spec = new { dryRun = true } });
        await env.WaitForAsync("corp", s => s.Status?.ObservedGeneration == 2 && IsReady(s, "UpToDate"), "the dry-run spec synced (nothing changed yet)");
        var posts = env.Bitwarden.ImportRequests.Count;
        await env.PutDirectoryAsync(new Dictionary<string, string>
        {
            [LdifKey] = Directory(Person("Ann", "ann@corp.example"), Person("Ben", "ben@corp.example", disabled: true), Person("Cat", "cat@corp.example"),
                Person("Dan", mail: null), Person("Eve", "eve@corp.example"), Person("Fay", "fay@corp.example", secondMail: "fay.lee@corp.example")),
        });
        var dryRun = await env.WaitForAsync("corp", s => s.Status?.DryRun?.Changes is { Added: 1, Removed: 1 }, "status.dryRun.changes");
        Ready(dryRun)!.Reason.Should().Be("DryRun");
        Ready(dryRun)!.Message.Should().Contain("it would make these changes: 1 added, 1 removed");
        dryRun.Status!.DryRun!.RemovedMembers.Should().Be(1);
        env.Bitwarden.ImportRequests.Should().HaveCount(posts, "a dry run posts nothing");
        env.Bitwarden.Organization.Members.Select(m => m.Email).Should().BeEquivalentTo("ann@corp.example", "ben@corp.example", "cat@corp.example", "fay@corp.example");

        // 3. Someone invites Ann's new address by hand, her mail changes to it (bitwarden/server#4117) and Cat is deleted:
        //    with Ben two removals, more than maxDeletions allows. Nothing is posted; the guard's numbers are in status.
        var handInvited = env.Bitwarden.Organization.AddMember("ann.lee@corp.example", status: StandInMemberStatus.Invited, hasMasterPassword: false);
        await env.PutDirectoryAsync(new Dictionary<string, string>
        {
            [LdifKey] = Directory(Person("Ann", "ann.lee@corp.example"), Person("Ben", "ben@corp.example", disabled: true),
                Person("Dan", mail: null), Person("Eve", "eve@corp.example"), Person("Fay", "fay@corp.example", secondMail: "fay.lee@corp.example")),
        });
        await env.PatchAsync("corp", new { spec = new { dryRun = false } });
        var guarded = await env.WaitForAsync("corp", s => s.Status?.ObservedGeneration == 3 && Ready(s)?.Reason == "DeletionGuardTriggered", "Ready=False/DeletionGuardTriggered");
        var guard = guarded.Status!.DeletionGuard!;
        guard.Should().BeEquivalentTo(new { MemberRemovals = 2, MemberLimit = 1, ManagedMembers = 4, GroupDeletions = 0 }, o => o.ExcludingMissingMembers());
        guard.Sample.Should().HaveCount(2).And.Contain(s => s.StartsWith("ben@corp.example", StringComparison.Ordinal)).And.Contain(s => s.StartsWith("cat@corp.example", StringComparison.Ordinal));
        guard.PlanHash.Should().NotBeNullOrEmpty();
        guarded.Status.Conditions!.Should().Contain(c => c.Type == "Stalled" && c.Status == "True");
        (await WaitForEventAsync(env, "DeletionGuardTriggered")).Type.Should().Be("Warning");
        env.Bitwarden.ImportRequests.Should().HaveCount(posts, "the guard posts nothing");

        // 4. The plan approved by its hash: the removals, the conflict left out with both members and the fix, the rest synced.
        await env.PatchAsync("corp", new { metadata = new { annotations = new Dictionary<string, string> { [DirectorySync.ApproveDeletionsAnnotation] = guard.PlanHash } } });
        var synced = (await env.WaitForAsync("corp", s => s.Status?.ApprovedDeletions == guard.PlanHash && IsReady(s, "Synced"), "the approved plan synced")).Status!;
        synced.DeletionGuard.Should().BeNull();
        synced.LastChanges.Should().BeEquivalentTo(new { Added = 1, Removed = 2, Conflicts = 1 }, o => o.ExcludingMissingMembers());
        synced.LastChanges!.SampleConflicts.Should().ContainSingle().Which.Should()
            .Contain(Dn("Ann")).And.Contain("ann@corp.example").And.Contain("ann.lee@corp.example").And.Contain("bitwarden/server#4117");
        ManagedSetEncoding.Decode(synced.RemovedDisabled).Should().Equal(Dn("Ben"));
        ManagedSetEncoding.Decode(synced.ManagedMembers).Should().Equal(Dn("Ann"), Dn("Eve"), Dn("Fay"));
        synced.MembersHash.Should().BeNull("the entry left out is checked again by the next sync");
        Ready(await env.GetAsync("corp"))!.Message.Should().Contain("1 added, 2 removed").And.Contain("1 entries left out");
        env.Bitwarden.Organization.Members.Select(m => m.Email).Should().BeEquivalentTo("ann@corp.example", "ann.lee@corp.example", "eve@corp.example", "fay@corp.example");
        env.Bitwarden.Organization.Members.Should().Contain(m => m.Id == handInvited.Id && m.ExternalId == null, "the hand invite is never linked into a conflict");
        env.Bitwarden.ImportRequests.Should().OnlyContain(r => r.StatusCode == 200);
        (await WaitForEventAsync(env, "ConflictsSkipped")).Should().Match<Corev1Event>(e => e.Type == "Warning" && e.Message.Contains("bitwarden/server#4117"));
        (await WaitForEventAsync(env, "OrganizationChanged", e => e.Message.Contains("2 removed (ben@corp.example, cat@corp.example)", StringComparison.Ordinal)))
            .Message.Should().Contain("1 added (eve@corp.example)");
    }

    /// <summary>The first event of <paramref name="reason"/> (matching <paramref name="match"/>) on the DirectorySync:
    /// events are recorded after the status write, so they are waited for, not read at once.</summary>
    private static async Task<Corev1Event> WaitForEventAsync(OperatorEnvironment env, string reason, Func<Corev1Event, bool>? match = null)
    {
        Corev1Event? found = null;
        var deadline = DateTime.UtcNow + WaitLimit;
        while (found is null && DateTime.UtcNow < deadline)
        {
            found = (await env.EventsForAsync("corp")).FirstOrDefault(e => e.Reason == reason && (match?.Invoke(e) ?? true));
            if (found is null)
            {
                await Task.Delay(50);
            }
        }

        return found ?? throw new Xunit.Sdk.XunitException($"No {reason} event within {WaitLimit}: "
            + string.Join(" | ", (await env.EventsForAsync("corp")).Select(e => $"{e.Type} {e.Reason}: {e.Message}")));
    }
}
