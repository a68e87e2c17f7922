using DirectoryConnector.Operator.Resources;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;
using static DirectoryConnector.Operator.Tests.EndToEnd.OperatorEnvironment;

namespace DirectoryConnector.Operator.Tests.EndToEnd;

/// <summary>What an administrator does with a DirectorySync, and what they see in its status, events and organization.</summary>
public sealed class DirectorySyncLifecycleTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ACreatedDirectorySyncBecomesReadyWithCountsAndPopulatesTheOrganization()
    {
        await using var env = await StartAsync(output);
        await env.PutApiKeySecretAsync();
        await env.PutDirectoryAsync(new Dictionary<string, string> { [DirectoryKey] = DirectoryJson(users: 5, groups: 2) });
        await env.StartOperatorAsync();

        await env.CreateDirectorySyncAsync("corp", env.Spec());
        var synced = await env.WaitForAsync("corp", s => IsReady(s, "Synced"), "Ready=True/Synced");

        synced.Status!.Should().BeEquivalentTo(new { UserCount = 5, GroupCount = 2, SkippedCount = 0, SourceType = "file", ObservedGeneration = 1L }, o => o.ExcludingMissingMembers());
        synced.Status!.MembersHash.Should().NotBeNullOrEmpty();
        synced.Status.LastSuccessfulSyncTime.Should().NotBeNull();
        synced.Status.NextSyncTime.Should().BeCloseTo(synced.Status.LastSyncTime!.Value.AddHours(1), TimeSpan.FromSeconds(1));
        synced.Status.Conditions!.Select(c => (c.Type, c.Status)).Should().BeEquivalentTo([("Ready", "True"), ("Reconciling", "False"), ("Stalled", "False")]);
        env.Bitwarden.Organization.Members.Select(m => m.Email).Should().BeEquivalentTo(Enumerable.Range(0, 5).Select(i => $"user{i}@corp.example"));
        env.Bitwarden.Organization.Groups.Select(g => g.Name).Should().BeEquivalentTo("Group 0", "Group 1");
        (await env.WaitForEventsAsync("corp", e => e.Reason == "Synced", "the Synced event")).Should().ContainSingle(e => e.Reason == "Synced" && e.Type == "Normal");
    }

    [Fact]
    public async Task ChangesToTheSpecTheForceAnnotationAndTheApiKeySecretEachTriggerASync()
    {
        await using var env = await StartAsync(output);
        await env.PutApiKeySecretAsync();
        await env.PutDirectoryAsync(new Dictionary<string, string> { [DirectoryKey] = DirectoryJson(users: 3), ["bigger.json"] = DirectoryJson(users: 4) });
        await env.StartOperatorAsync();
        await env.CreateDirectorySyncAsync("corp", env.Spec());
        var first = await env.WaitForAsync("corp", s => IsReady(s, "Synced"), "first sync");
        var imports = env.Bitwarden.ImportRequests.Count;

        // Spec change: another key of the ConfigMap, with one more user.
        await env.PatchAsync("corp", new { spec = new { source = new { file = new { configMapRef = new { name = DirectoryConfigMap, key = "bigger.json" } } } } });
        var afterSpec = await env.WaitForAsync("corp", s => s.Status?.ObservedGeneration == 2 && IsReady(s, "Synced") && s.Status.UserCount == 4, "resync after the spec change");
        env.Bitwarden.Organization.Members.Should().Contain(m => m.Email == "user3@corp.example");
        env.Bitwarden.ImportRequests.Count.Should().BeGreaterThan(imports);

        // Force annotation: syncs again and posts although nothing changed (the hash skip is bypassed).
        imports = env.Bitwarden.ImportRequests.Count;
        await env.PatchAsync("corp", new { metadata = new { annotations = new Dictionary<string, string> { [DirectorySync.SyncRequestedAtAnnotation] = "2026-11-22T10:00:00Z" } } });
        await WaitUntilAsync(() => env.Bitwarden.ImportRequests.Count > imports, "an import after the force annotation");
        var afterForce = await env.WaitForAsync("corp", s => IsReady(s) && s.Status!.SyncedRevision != afterSpec.Status!.SyncedRevision, "status after the forced sync");

        // Rotating the API key Secret syncs again with it.
        var rotated = await env.PutApiKeySecretAsync();
        var afterRotation = await env.WaitForAsync("corp", s => IsReady(s) && s.Status!.SyncedRevision!.Contains($"secret/{ApiKeySecret}={rotated.Metadata.ResourceVersion}", StringComparison.Ordinal), "resync after the Secret rotation");
        afterRotation.Status!.LastSyncTime.Should().BeOnOrAfter(afterForce.Status!.LastSyncTime!.Value);
        first.Status!.SyncedRevision.Should().NotBe(afterRotation.Status.SyncedRevision);
        (await env.WaitForEventsAsync("corp", e => e.Reason == "Synced", "the Synced event")).Where(e => e.Reason == "Synced").Should().ContainSingle("events are recorded on transitions only, not per sync");
    }

    [Fact]
    public async Task ANewExportInTheReferencedConfigMapIsSyncedWithoutTouchingTheDirectorySync()
    {
        await using var env = await StartAsync(output);
        await env.PutApiKeySecretAsync();
        await env.PutDirectoryAsync(new Dictionary<string, string> { [DirectoryKey] = DirectoryJson(users: 2) });
        await env.StartOperatorAsync();
        await env.CreateDirectorySyncAsync("corp", env.Spec());
        await env.WaitForAsync("corp", s => IsReady(s, "Synced"), "first sync");

        await env.PutDirectoryAsync(new Dictionary<string, string> { [DirectoryKey] = DirectoryJson(users: 6) });

        await env.WaitForAsync("corp", s => IsReady(s, "Synced") && s.Status!.UserCount == 6, "the new export synced");
        env.Bitwarden.Organization.Members.Should().HaveCount(6);
        (await env.GetAsync("corp")).Metadata.Generation.Should().Be(1);
    }

    [Fact]
    public async Task AMissingSecretStallsWithSecretNotFoundUntilTheSecretAppears()
    {
        await using var env = await StartAsync(output);
        await env.PutDirectoryAsync(new Dictionary<string, string> { [DirectoryKey] = DirectoryJson(users: 2) });
        await env.StartOperatorAsync();
        await env.CreateDirectorySyncAsync("corp", env.Spec());

        var stalled = await env.WaitForAsync("corp", s => Ready(s)?.Reason == "SecretNotFound", "Ready=False/SecretNotFound");
        Ready(stalled)!.Status.Should().Be("False");
        Ready(stalled)!.Message.Should().Contain(ApiKeySecret).And.Contain(Namespace);
        stalled.Status!.Conditions!.Should().Contain(c => c.Type == "Stalled" && c.Status == "True" && c.Reason == "SecretNotFound");
        var warning = (await env.WaitForEventsAsync("corp", e => e.Type == "Warning", "the Warning event")).Should().ContainSingle(e => e.Type == "Warning").Subject;
        warning.Reason.Should().Be("SyncFailed");
        warning.Message.Should().StartWith("SecretNotFound:");
        env.Bitwarden.Organization.Members.Should().BeEmpty();

        await env.PutApiKeySecretAsync();
        var recovered = await env.WaitForAsync("corp", s => IsReady(s, "Synced"), "recovery once the Secret exists");
        recovered.Status!.Conditions!.Should().Contain(c => c.Type == "Stalled" && c.Status == "False");
        env.Bitwarden.Organization.Members.Should().HaveCount(2);
        var secretsInEvents = (await env.EventsForAsync("corp")).Select(e => e.Message);
        secretsInEvents.Should().NotContain(m => m.Contains(env.Bitwarden.ClientSecret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SuspendStopsSyncingAndResumingSyncsAgain()
    {
        await using var env = await StartAsync(output);
        await env.PutApiKeySecretAsync();
        await env.PutDirectoryAsync(new Dictionary<string, string> { [DirectoryKey] = DirectoryJson(users: 2), ["more.json"] = DirectoryJson(users: 3) });
        await env.StartOperatorAsync();
        await env.CreateDirectorySyncAsync("corp", env.Spec());
        await env.WaitForAsync("corp", s => IsReady(s, "Synced"), "first sync");

        await env.PatchAsync("corp", new { spec = new { suspend = true } });
        var suspended = await env.WaitForAsync("corp", s => Ready(s)?.Reason == "Suspended" && s.Status!.ObservedGeneration == 2, "Ready=False/Suspended");
        Ready(suspended)!.Status.Should().Be("False");
        var imports = env.Bitwarden.ImportRequests.Count;
        await env.PatchAsync("corp", new { spec = new { source = new { file = new { configMapRef = new { name = DirectoryConfigMap, key = "more.json" } } } } });
        await env.WaitForAsync("corp", s => s.Status!.ObservedGeneration == 3 && Ready(s)?.Reason == "Suspended", "the suspended spec change observed");
        env.Bitwarden.ImportRequests.Count.Should().Be(imports, "a suspended DirectorySync does not sync");
        env.Bitwarden.Organization.Members.Should().HaveCount(2);

        await env.PatchAsync("corp", new { spec = new { suspend = false } });
        await env.WaitForAsync("corp", s => IsReady(s, "Synced") && s.Status!.UserCount == 3, "resumed sync");
        env.Bitwarden.Organization.Members.Should().HaveCount(3);
    }

    [Fact]
    public async Task ADryRunRecordsWhatWouldBeSentAndPostsNothing()
    {
        await using var env = await StartAsync(output);
        await env.PutApiKeySecretAsync();
        await env.PutDirectoryAsync(new Dictionary<string, string> { [DirectoryKey] = DirectoryJson(users: 15, groups: 3) });
        await env.StartOperatorAsync();
        var spec = env.Spec();
        spec.DryRun = true;
        await env.CreateDirectorySyncAsync("corp", spec);

        var dryRun = await env.WaitForAsync("corp", s => IsReady(s, "DryRun"), "Ready=True/DryRun");

        env.Bitwarden.ImportRequests.Should().BeEmpty();
        env.Bitwarden.Organization.Members.Should().BeEmpty();
        dryRun.Status!.DryRun.Should().BeEquivalentTo(new { Members = 15, RemovedMembers = 0, Groups = 3, Requests = 1 }, o => o.ExcludingMissingMembers());
        dryRun.Status.DryRun!.SampleMembers.Should().HaveCount(10).And.OnlyContain(m => m.EndsWith("@corp.example", StringComparison.Ordinal));
        dryRun.Status.DryRun.SampleGroups.Should().BeEquivalentTo("Group 0", "Group 1", "Group 2");
        dryRun.Status.MembersHash.Should().BeNull();
        Ready(dryRun)!.Message.Should().Contain("would send 15 members");

        await env.PatchAsync("corp", new { spec = new { dryRun = false } });
        var real = await env.WaitForAsync("corp", s => IsReady(s, "Synced"), "a real sync once dryRun is off");
        real.Status!.DryRun.Should().BeNull("the dry-run report is cleared by the first real sync");
        real.Status.MembersHash.Should().NotBeNullOrEmpty();
        env.Bitwarden.Organization.Members.Should().HaveCount(15);
    }
}
