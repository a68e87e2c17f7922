using System.Diagnostics;
using DirectoryConnector.TestSupport.Bitwarden;
using FluentAssertions;
using k8s;
using Xunit;

namespace DirectoryConnector.Cli.Tests.EndToEnd;

/// <summary>
/// `directory-connector operator` as a process, stopped as the kubelet stops a pod (SIGTERM), and losing its Lease:
/// it stops its watches and workers, cancels an in-flight sync, releases the Lease so the standby takes over at once,
/// and exits 0 within the 2 s the issue (#15) allows; a leader that loses its Lease stops posting and exits non-zero.
/// </summary>
[Collection(ShutdownTimingCollectionDefinition.Name)]
public sealed class OperatorShutdownTests : IAsyncLifetime
{
    /// <summary>The bound issue #15 sets for a SIGTERM'd operator to exit.</summary>
    private static readonly TimeSpan ExitBound = TimeSpan.FromSeconds(2);

    private OperatorProcessCluster cluster = null!;

    public async Task InitializeAsync()
    {
        cluster = await OperatorProcessCluster.StartAsync();
        await cluster.PutDirectoryAsync(OperatorProcessCluster.DirectoryJson(3));
    }

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    [Fact]
    public async Task SigtermWithLeaderElectionReleasesTheLeaseAndExitsZeroWithinTwoSeconds()
    {
        await cluster.CreateDirectorySyncAsync("corp");
        using var process = cluster.StartOperator();
        (await OperatorProcessCluster.WaitForAsync(() => cluster.ReadyReason("corp") is not null && cluster.LeaseHolder() is { Length: > 0 }, process))
            .Should().BeTrue($"the operator leads and syncs\n{process}");

        var (exit, elapsed) = await TerminateAsync(process);

        exit.Should().Be(0, process.ToString());
        elapsed.Should().BeLessThan(ExitBound, process.ToString());
        cluster.LeaseHolder().Should().BeNullOrEmpty("a leader that stops releases its Lease, as client-go's ReleaseOnCancel does");
        cluster.LeaseSpec()!["leaseDurationSeconds"]!.GetValue<int>().Should().Be(1);
    }

    [Fact]
    public async Task SigtermWithoutLeaderElectionExitsZeroWithinTwoSeconds()
    {
        await cluster.CreateDirectorySyncAsync("corp");
        using var process = cluster.StartOperator("--leader-elect=false");
        (await OperatorProcessCluster.WaitForAsync(() => cluster.ReadyReason("corp") is not null, process)).Should().BeTrue(process.ToString());

        var (exit, elapsed) = await TerminateAsync(process);

        exit.Should().Be(0, process.ToString());
        elapsed.Should().BeLessThan(ExitBound, process.ToString());
        cluster.LeaseSpec().Should().BeNull("without leader election no Lease is touched");
    }

    [Fact]
    public async Task SigtermDuringAnImportCancelsItReleasesTheLeaseAndTheNextOperatorConverges()
    {
        cluster.Bitwarden.HangNext(1, StandInEndpoint.Import);
        await cluster.CreateDirectorySyncAsync("corp");
        using var process = cluster.StartOperator();
        (await OperatorProcessCluster.WaitForAsync(() => cluster.Bitwarden.HangingRequests == 1, process)).Should().BeTrue($"the import is in flight\n{process}");

        var (exit, elapsed) = await TerminateAsync(process);

        exit.Should().Be(0, process.ToString());
        elapsed.Should().BeLessThan(ExitBound, process.ToString());
        cluster.Bitwarden.HangingRequests.Should().Be(0, "the in-flight import request was cancelled, not left to the kubelet's SIGKILL");
        cluster.LeaseHolder().Should().BeNullOrEmpty();
        cluster.ReadyReason("corp").Should().BeNull("an interrupted sync is not reported as synced");

        using var next = cluster.StartOperator();
        (await OperatorProcessCluster.WaitForAsync(() => cluster.ReadyReason("corp") is not null, next)).Should().BeTrue(next.ToString());
        cluster.Bitwarden.Organization.Members.Select(m => m.ExternalId).Should().BeEquivalentTo(["user-0", "user-1", "user-2"]);
        cluster.Bitwarden.Organization.Groups.Should().ContainSingle(g => g.ExternalId == "group-0");
        next.Terminate();
        (await next.WaitForExitAsync(TimeSpan.FromSeconds(30))).Should().Be(0, next.ToString());
    }

    [Fact]
    public async Task SigtermOnTheStandbyExitsZeroWithinTwoSecondsAndLeavesTheLeaderAlone()
    {
        await cluster.CreateDirectorySyncAsync("corp");
        using var leader = cluster.StartOperator();
        (await OperatorProcessCluster.WaitForAsync(() => cluster.LeaseHolder() is { Length: > 0 }, leader)).Should().BeTrue(leader.ToString());
        var leaderIdentity = cluster.LeaseHolder();
        using var standby = cluster.StartOperator();
        (await OperatorProcessCluster.WaitForAsync(() => standby.Output.Contains($"Leader of {OperatorProcessCluster.LeaseName} is {leaderIdentity}", StringComparison.Ordinal), standby))
            .Should().BeTrue($"the second replica waits for the Lease\n{standby}");

        var (exit, elapsed) = await TerminateAsync(standby);

        exit.Should().Be(0, standby.ToString());
        elapsed.Should().BeLessThan(ExitBound, standby.ToString());
        cluster.LeaseHolder().Should().Be(leaderIdentity, "a standby never clears the leader's Lease");
        var (leaderExit, _) = await TerminateAsync(leader);
        leaderExit.Should().Be(0, leader.ToString());
    }

    [Fact]
    public async Task TheStandbyLeadsAsSoonAsTheLeaderIsTerminated()
    {
        await cluster.CreateDirectorySyncAsync("corp");
        using var first = cluster.StartOperator();
        (await OperatorProcessCluster.WaitForAsync(() => cluster.LeaseHolder() is { Length: > 0 }, first)).Should().BeTrue(first.ToString());
        var firstIdentity = cluster.LeaseHolder();
        using var second = cluster.StartOperator();
        (await OperatorProcessCluster.WaitForAsync(() => second.Output.Contains($"Leader of {OperatorProcessCluster.LeaseName} is {firstIdentity}", StringComparison.Ordinal), second))
            .Should().BeTrue($"the second replica is a standby that saw the leader\n{second}");

        var stopped = Stopwatch.StartNew();
        var (exit, _) = await TerminateAsync(first);
        var tookOver = await OperatorProcessCluster.WaitForAsync(() => cluster.LeaseHolder() is { Length: > 0 } holder && holder != firstIdentity, second);

        exit.Should().Be(0, first.ToString());
        tookOver.Should().BeTrue(second.ToString());
        // Without the release the standby waits out the whole lease (15 s by default) after the last renewal.
        stopped.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), "the released Lease is free at once\n" + second);
        second.Terminate();
        (await second.WaitForExitAsync(TimeSpan.FromSeconds(30))).Should().Be(0, second.ToString());
    }

    [Fact]
    public async Task LosingTheLeaseDuringAnImportCancelsItPostsNothingMoreAndExitsNonZero()
    {
        cluster.Bitwarden.HangNext(1, StandInEndpoint.Import);
        await cluster.CreateDirectorySyncAsync("corp");
        using var process = cluster.StartOperator("--leader-elect-lease-duration=2s", "--leader-elect-renew-deadline=1500ms", "--leader-elect-retry-period=250ms");
        (await OperatorProcessCluster.WaitForAsync(() => cluster.Bitwarden.HangingRequests == 1, process)).Should().BeTrue($"the import is in flight\n{process}");

        // Another replica takes the Lease (as after a network partition outlasting the lease). The leader renews it
        // every 250 ms, so a write can lose the optimistic-concurrency race (409): read again and retry, as client-go does.
        await TakeTheLeaseAsync("intruder");
        var lost = DateTimeOffset.UtcNow;
        var importsBefore = cluster.Bitwarden.ImportRequests.Count;

        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(30));

        exit.Should().NotBeNull(process.ToString()).And.NotBe(0, "a leader that lost its Lease exits so Kubernetes restarts it as a standby");
        process.Error.Should().Contain("Lost the lease");
        // The stand-in sees the connection close, and logs the request, a moment after the process is gone.
        (await OperatorProcessCluster.WaitForAsync(() => cluster.Bitwarden.HangingRequests == 0 && cluster.Bitwarden.ImportRequests.Count > importsBefore))
            .Should().BeTrue("the in-flight import was cancelled");
        cluster.Bitwarden.ImportRequests.Should().HaveCount(importsBefore + 1, "only the cancelled import is logged (when it ended)")
            .And.OnlyContain(r => r.Time < lost, "nothing is posted after the Lease was lost");
        cluster.LeaseHolder().Should().Be("intruder", "a replica that lost the Lease never releases the new holder's");
    }

    [Fact]
    public async Task AnOperatorKilledBetweenTwoImportBatchesIsCaughtUpByTheNextRunAtOnce()
    {
        // 2001 users: the members go in two batches (2000 + 1), then the group; the second batch never gets an answer.
        const int Users = 2001;
        var big = cluster;
        await big.PutDirectoryAsync(OperatorProcessCluster.DirectoryJson(Users), "big");
        big.Bitwarden.PassNext(1, StandInEndpoint.Import);
        big.Bitwarden.HangNext(1, StandInEndpoint.Import);
        await big.CreateDirectorySyncAsync("corp", configMap: "big");
        // The killed leader records a short Lease so the next run need not wait 15 s for it to expire; the next run
        // keeps the default renew deadline (a standby honours the duration the Lease records), so a loaded machine
        // cannot make it lose the Lease before it finishes.
        using (var killed = big.StartOperator("--leader-elect-lease-duration=4s", "--leader-elect-renew-deadline=3s", "--leader-elect-retry-period=250ms"))
        {
            (await OperatorProcessCluster.WaitForAsync(() => big.Bitwarden.HangingRequests == 1, killed)).Should().BeTrue($"the second batch is in flight\n{killed}");
            killed.Kill();
        }

        big.Bitwarden.Organization.Members.Should().HaveCount(2000, "the first batch was applied");
        big.Bitwarden.Organization.Groups.Should().BeEmpty("the group batch never went out");

        // The interval is 1h: the next run syncs at once because the status records no finished sync.
        using var next = big.StartOperator("--leader-elect-retry-period=250ms");
        (await OperatorProcessCluster.WaitForAsync(() => big.ReadyReason("corp") is not null, next)).Should().BeTrue(next.ToString());
        var organization = big.Bitwarden.Organization;
        organization.Members.Select(m => m.ExternalId).Should().BeEquivalentTo(Enumerable.Range(0, Users).Select(i => $"user-{i}"));
        organization.MemberExternalIdsOf(organization.Groups.Should().ContainSingle().Which).Should().HaveCount(Users);
        var (exit, _) = await TerminateAsync(next);
        exit.Should().Be(0, next.ToString());
    }

    private async Task TakeTheLeaseAsync(string holder)
    {
        for (var attempt = 1; ; attempt++)
        {
            var lease = await cluster.Client.CoordinationV1.ReadNamespacedLeaseAsync(OperatorProcessCluster.LeaseName, OperatorProcessCluster.LeaseNamespace);
            lease.Spec.HolderIdentity = holder;
            lease.Spec.LeaseDurationSeconds = 3600;
            lease.Spec.AcquireTime = lease.Spec.RenewTime = DateTime.UtcNow;
            try
            {
                await cluster.Client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, lease.Metadata.Name, lease.Metadata.NamespaceProperty);
                return;
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict && attempt < 20)
            {
            }
        }
    }

    private static async Task<(int? Exit, TimeSpan Elapsed)> TerminateAsync(CliProcess process)
    {
        var clock = Stopwatch.StartNew();
        process.Terminate();
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        return (exit, clock.Elapsed);
    }
}
