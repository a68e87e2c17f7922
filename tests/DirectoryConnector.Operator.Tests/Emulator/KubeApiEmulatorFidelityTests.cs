using System.Net;
using DirectoryConnector.Operator.Resources;
using FluentAssertions;
using k8s;
using k8s.Models;
using Xunit;

namespace DirectoryConnector.Operator.Tests.Emulator;

/// <summary>
/// The emulator behaves as the API server where the operator depends on it (issue #15): list pages from one
/// snapshot with expiring continue tokens (apiserver storage: a continued list reads at the first page's revision,
/// 410 Expired once compacted), pages shorter than the limit, and merge patches that never conflict without a
/// resourceVersion (the server's GuaranteedUpdate).
/// </summary>
public sealed class KubeApiEmulatorFidelityTests
{
    [Fact]
    public async Task EveryPageOfAListComesFromTheFirstPagesSnapshot()
    {
        await using var cluster = await KubeTestCluster.StartAsync();
        foreach (var name in new[] { "a", "b", "c", "d", "e" })
        {
            await cluster.CreateAsync(KubeTestCluster.Sample(name));
        }

        var first = await List(cluster, limit: 2);
        await cluster.PatchAsync("c", """{"spec":{"interval":"45m"}}""", V1Patch.PatchType.MergePatch);
        await cluster.Client.CustomObjects.DeleteNamespacedCustomObjectAsync(DirectorySync.Group, DirectorySync.Version, KubeTestCluster.Namespace, DirectorySync.Plural, "d");
        await cluster.CreateAsync(KubeTestCluster.Sample("f"));
        var second = await List(cluster, limit: 2, first.Metadata.ContinueProperty);
        var third = await List(cluster, limit: 2, second.Metadata.ContinueProperty);

        first.Items.Select(i => i.Metadata.Name).Should().Equal("a", "b");
        second.Items.Select(i => i.Metadata.Name).Should().Equal("c", "d");
        second.Items[0].Spec.Interval.Should().Be("15m", "the page shows c as it was when the list started");
        third.Items.Select(i => i.Metadata.Name).Should().Equal("e");
        third.Metadata.ContinueProperty.Should().BeNull();
        new[] { second.Metadata.ResourceVersion, third.Metadata.ResourceVersion }.Should().AllBe(first.Metadata.ResourceVersion);
        (await List(cluster, limit: 10)).Items.Select(i => i.Metadata.Name).Should().Equal("a", "b", "c", "e", "f");
    }

    [Fact]
    public async Task AContinueTokenWhoseSnapshotWasCompactedIs410Expired()
    {
        await using var cluster = await KubeTestCluster.StartAsync();
        foreach (var name in new[] { "a", "b", "c" })
        {
            await cluster.CreateAsync(KubeTestCluster.Sample(name));
        }

        var first = await List(cluster, limit: 2);
        await cluster.PatchAsync("c", """{"spec":{"interval":"45m"}}""", V1Patch.PatchType.MergePatch);
        cluster.Emulator.CompactHistory();

        var (code, status) = await KubeTestCluster.FailureOf(() => List(cluster, limit: 2, first.Metadata.ContinueProperty));

        code.Should().Be(HttpStatusCode.Gone);
        status.Reason.Should().Be("Expired");
        status.Message.Should().StartWith("The provided continue parameter is too old to display a consistent list result.");
        var (badCode, _) = await KubeTestCluster.FailureOf(() => List(cluster, limit: 2, "bm90LWEtdG9rZW4="));
        badCode.Should().Be(HttpStatusCode.BadRequest, "a token the server did not write is bad input");
    }

    [Fact]
    public async Task TheServerMayReturnFewerItemsThanTheLimit()
    {
        await using var cluster = await KubeTestCluster.StartAsync(o => o.MaxPageSize = 2);
        foreach (var name in new[] { "a", "b", "c" })
        {
            await cluster.CreateAsync(KubeTestCluster.Sample(name));
        }

        var first = await List(cluster, limit: 500);

        first.Items.Should().HaveCount(2);
        (await List(cluster, limit: 500, first.Metadata.ContinueProperty)).Items.Select(i => i.Metadata.Name).Should().Equal("c");
    }

    [Fact]
    public async Task MergePatchesWithoutAResourceVersionNeverConflict()
    {
        await using var cluster = await KubeTestCluster.StartAsync();
        await cluster.CreateAsync(KubeTestCluster.Sample("corp"));

        // Concurrent writers, as the operator's status patches race kubectl's label edits.
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => i % 2 == 0
            ? cluster.PatchAsync("corp", "{\"metadata\":{\"labels\":{\"l" + i + "\":\"v\"}}}", V1Patch.PatchType.MergePatch)
            : cluster.PatchAsync("corp", "{\"status\":{\"userCount\":" + i + "}}", V1Patch.PatchType.MergePatch, status: true)));

        var patched = await cluster.GetAsync("corp");
        patched.Metadata.Labels.Keys.Where(k => k.StartsWith('l')).Should().HaveCount(10, "no patch was lost or refused");
        patched.Status!.UserCount.Should().Match(count => count.HasValue && count.Value % 2 == 1, "the last status patch won");
        var (code, status) = await KubeTestCluster.FailureOf(() => cluster.PatchAsync("corp", """{"metadata":{"resourceVersion":"2","labels":{"x":"y"}}}""", V1Patch.PatchType.MergePatch));
        code.Should().Be(HttpStatusCode.Conflict, "a patch that names a stale resourceVersion is a precondition");
        status.Reason.Should().Be("Conflict");
    }

    private static async Task<DirectorySyncList> List(KubeTestCluster cluster, int limit, string? continueToken = null)
        => await cluster.Client.CustomObjects.ListNamespacedCustomObjectAsync<DirectorySyncList>(DirectorySync.Group, DirectorySync.Version, KubeTestCluster.Namespace, DirectorySync.Plural, continueParameter: continueToken, limit: limit);
}
