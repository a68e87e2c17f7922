using System.Text;
using DirectoryConnector.Operator.Runtime;
using DirectoryConnector.Operator.Tests.Emulator;
using FluentAssertions;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace DirectoryConnector.Operator.Tests.Runtime;

/// <summary>The operator's Secret informer against the API emulator: versions in the cache, values nowhere.</summary>
public sealed class MetadataInformerTests
{
    private const string Sentinel = "hunter2-the-bind-password";

    [Fact]
    public async Task TheSecretCacheHoldsVersionsButNoValueAndSeesARotation()
    {
        await using var cluster = await KubeTestCluster.StartAsync(o => o.BookmarkInterval = TimeSpan.FromMilliseconds(200));
        // As `kubectl apply` leaves it: the value is in the data and in the last-applied annotation.
        var created = await cluster.Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta
            {
                Name = "ldap-bind",
                Annotations = new Dictionary<string, string> { ["kubectl.kubernetes.io/last-applied-configuration"] = $$$"""{"stringData":{"password":"{{{Sentinel}}}"}}""" },
            },
            Data = new Dictionary<string, byte[]> { ["password"] = Encoding.UTF8.GetBytes(Sentinel) },
        }, KubeTestCluster.Namespace);
        var informer = new Informer<PartialObjectMetadata>(ListWatchSources.Secrets(cluster.Client, KubeTestCluster.Namespace, 60), NullLogger.Instance, TimeSpan.FromSeconds(1), PartialObjectMetadata.Identity);
        var updates = new List<string?>();
        informer.Updated += (_, item) => { lock (updates) { updates.Add(item.Metadata.ResourceVersion); } };
        using var stop = new CancellationTokenSource();
        var running = informer.RunAsync(stop.Token);
        await WaitAsync(() => informer.HasSynced);

        created.Data["password"] = Encoding.UTF8.GetBytes(Sentinel + "-rotated");
        var rotated = await cluster.Client.CoreV1.ReplaceNamespacedSecretAsync(created, "ldap-bind", KubeTestCluster.Namespace);
        await WaitAsync(() => { lock (updates) { return updates.Contains(rotated.Metadata.ResourceVersion); } });
        await stop.CancelAsync();
        await running;

        informer.TryGet($"{KubeTestCluster.Namespace}/ldap-bind", out var cached).Should().BeTrue();
        cached!.Metadata.ResourceVersion.Should().Be(rotated.Metadata.ResourceVersion);
        var everything = string.Concat(informer.Items.Select(i => KubernetesJson.Serialize(i)));
        everything.Should().NotContain(Sentinel).And.NotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(Sentinel))).And.NotContain("last-applied");
        cluster.Emulator.Recorded.Where(r => r.Method == "GET" && r.Path.EndsWith("/secrets", StringComparison.Ordinal))
            .Should().NotBeEmpty().And.OnlyContain(r => r.Accept != null && r.Accept.Contains("as=PartialObjectMetadata", StringComparison.Ordinal));
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!condition())
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "the informer should have caught up");
            await Task.Delay(20);
        }
    }
}
