using System.Net;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Operator.Resources;
using FluentAssertions;
using k8s;
using k8s.Models;
using Xunit;
using DirectoryConnector.Engine.Sources.Ldap;

namespace DirectoryConnector.Operator.Tests.Emulator;

public sealed class KubeApiEmulatorCrudTests
{
    [Fact]
    public async Task CreateGetReplaceDeleteWithServerManagedMetadataAndDefaults()
    {
        await using var cluster = await KubeTestCluster.StartAsync();

        var created = await cluster.CreateAsync(KubeTestCluster.Sample("corp-ad"));

        created.Metadata.Uid.Should().NotBeNullOrEmpty();
        created.Metadata.CreationTimestamp.Should().BeCloseTo(DateTime.UtcNow, TimeSpan.FromMinutes(1));
        created.Metadata.Generation.Should().Be(1);
        created.Metadata.ResourceVersion.Should().NotBeNullOrEmpty();
        created.Spec.Sync.Users.Should().BeTrue("the CRD defaults sync.users from the C# initializer");
        created.Spec.Source.Ldap!.Encryption.Should().Be(LdapEncryption.None);

        var read = await cluster.GetAsync("corp-ad");
        read.Metadata.Uid.Should().Be(created.Metadata.Uid);
        read.Spec.Source.Ldap!.Hostname.Should().Be("ldap.corp.example.com");

        read.Spec.Interval = "30m";
        var replaced = await cluster.ReplaceAsync(read);
        long.Parse(replaced.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture)
            .Should().BeGreaterThan(long.Parse(created.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture));
        replaced.Metadata.Uid.Should().Be(created.Metadata.Uid);

        await cluster.Client.CustomObjects.DeleteNamespacedCustomObjectAsync(
            DirectorySync.Group, DirectorySync.Version, KubeTestCluster.Namespace, DirectorySync.Plural, "corp-ad");
        var (code, status) = await KubeTestCluster.FailureOf(() => cluster.GetAsync("corp-ad"));
        code.Should().Be(HttpStatusCode.NotFound);
        status.Message.Should().Be("directorysyncs.directoryconnector.dev \"corp-ad\" not found");
    }

    [Fact]
    public async Task CreatingAnExistingNameIs409AlreadyExists()
    {
        await using var cluster = await KubeTestCluster.StartAsync();
        await cluster.CreateAsync(KubeTestCluster.Sample("corp-ad"));

        var (code, status) = await KubeTestCluster.FailureOf(() => cluster.CreateAsync(KubeTestCluster.Sample("corp-ad")));

        code.Should().Be(HttpStatusCode.Conflict);
        status.Reason.Should().Be("AlreadyExists");
    }

    [Fact]
    public async Task AReplaceWithAStaleResourceVersionIs409Conflict()
    {
        await using var cluster = await KubeTestCluster.StartAsync();
        var created = await cluster.CreateAsync(KubeTestCluster.Sample("corp-ad"));
        var first = await cluster.GetAsync("corp-ad");
        first.Spec.Interval = "20m";
        await cluster.ReplaceAsync(first);

        created.Spec.Interval = "40m";
        var (code, status) = await KubeTestCluster.FailureOf(() => cluster.ReplaceAsync(created));

        code.Should().Be(HttpStatusCode.Conflict);
        status.Reason.Should().Be("Conflict");
        status.Message.Should().Contain("the object has been modified");
        (await cluster.GetAsync("corp-ad")).Spec.Interval.Should().Be("20m", "the stale write must not land");
    }

    [Fact]
    public async Task GenerationMovesOnSpecChangesOnly()
    {
        await using var cluster = await KubeTestCluster.StartAsync();
        var created = await cluster.CreateAsync(KubeTestCluster.Sample("corp-ad"));

        var labelled = await cluster.PatchAsync("corp-ad", """{"metadata":{"labels":{"tier":"gold"},"annotations":{"directoryconnector.dev/sync-requested-at":"now"}}}""", V1Patch.PatchType.MergePatch);
        labelled.Metadata.Generation.Should().Be(1, "labels and annotations are metadata");
        labelled.Metadata.ResourceVersion.Should().NotBe(created.Metadata.ResourceVersion);

        labelled.Status = new DirectorySyncStatus { UserCount = 3 };
        var withStatus = await cluster.ReplaceStatusAsync(labelled);
        withStatus.Metadata.Generation.Should().Be(1, "status is not spec");

        var resynced = await cluster.PatchAsync("corp-ad", """{"spec":{"interval":"1h"}}""", V1Patch.PatchType.MergePatch);
        resynced.Metadata.Generation.Should().Be(2);

        var unchanged = await cluster.PatchAsync("corp-ad", """{"spec":{"interval":"1h"}}""", V1Patch.PatchType.MergePatch);
        unchanged.Metadata.Generation.Should().Be(2);
        unchanged.Metadata.ResourceVersion.Should().Be(resynced.Metadata.ResourceVersion, "a no-op write stores nothing");
    }

    [Fact]
    public async Task StatusSubresourceRulesSeparateSpecAndStatusWrites()
    {
        await using var cluster = await KubeTestCluster.StartAsync();
        var sample = KubeTestCluster.Sample("corp-ad");
        sample.Status = new DirectorySyncStatus { UserCount = 99 };
        var created = await cluster.CreateAsync(sample);
        created.Status.Should().BeNull("create ignores status when a status subresource exists");

        created.Status = new DirectorySyncStatus { UserCount = 5, SourceType = "ldap" };
        created.Spec.Interval = "2h";
        var afterStatusWrite = await cluster.ReplaceStatusAsync(created);
        afterStatusWrite.Status!.UserCount.Should().Be(5);
        afterStatusWrite.Spec.Interval.Should().Be("15m", "/status writes ignore the spec");

        afterStatusWrite.Status = new DirectorySyncStatus { UserCount = 1000 };
        afterStatusWrite.Spec.Interval = "3h";
        var afterMainWrite = await cluster.ReplaceAsync(afterStatusWrite);
        afterMainWrite.Spec.Interval.Should().Be("3h");
        afterMainWrite.Status!.UserCount.Should().Be(5, "writes to the main resource ignore status");

        var patched = await cluster.PatchAsync("corp-ad", """{"status":{"groupCount":7},"spec":{"interval":"5h"}}""", V1Patch.PatchType.MergePatch, status: true);
        patched.Status!.GroupCount.Should().Be(7);
        patched.Status.UserCount.Should().Be(5);
        patched.Spec.Interval.Should().Be("3h");
    }

    [Fact]
    public async Task MergeAndJsonPatchesApplyAndJsonPatchTestFailuresReject()
    {
        await using var cluster = await KubeTestCluster.StartAsync();
        await cluster.CreateAsync(KubeTestCluster.Sample("corp-ad"));

        var merged = await cluster.PatchAsync("corp-ad", """{"spec":{"suspend":true,"filters":{"users":"(ou=Staff)"}}}""", V1Patch.PatchType.MergePatch);
        merged.Spec.Suspend.Should().BeTrue();
        merged.Spec.Filters.Users.Should().Be("(ou=Staff)");

        var removed = await cluster.PatchAsync("corp-ad", """{"spec":{"filters":{"users":null}}}""", V1Patch.PatchType.MergePatch);
        removed.Spec.Filters.Users.Should().BeNull("null removes a key in a merge patch");

        var jsonPatched = await cluster.PatchAsync("corp-ad",
            """[{"op":"test","path":"/spec/suspend","value":true},{"op":"replace","path":"/spec/suspend","value":false},{"op":"add","path":"/metadata/labels/tier","value":"gold"}]""",
            V1Patch.PatchType.JsonPatch);
        jsonPatched.Spec.Suspend.Should().BeFalse();
        jsonPatched.Metadata.Labels.Should().Contain("tier", "gold");

        var (code, _) = await KubeTestCluster.FailureOf(() => cluster.PatchAsync("corp-ad",
            """[{"op":"test","path":"/spec/suspend","value":true},{"op":"replace","path":"/spec/interval","value":"2h"}]""",
            V1Patch.PatchType.JsonPatch));
        code.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await cluster.GetAsync("corp-ad")).Spec.Interval.Should().Be("15m");

        var (strategic, _) = await KubeTestCluster.FailureOf(() => cluster.PatchAsync("corp-ad", """{"spec":{"suspend":true}}""", V1Patch.PatchType.StrategicMergePatch));
        strategic.Should().Be(HttpStatusCode.UnsupportedMediaType, "custom resources take no strategic merge patch");
    }

    [Fact]
    public async Task SecretsConfigmapsAndLeasesAreServedWithLabelAndFieldSelectors()
    {
        await using var cluster = await KubeTestCluster.StartAsync();
        var client = cluster.Client;
        await client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "bitwarden-api-key", Labels = new Dictionary<string, string> { ["app"] = "dc" } },
            StringData = new Dictionary<string, string> { ["client_id"] = "organization.1", ["client_secret"] = "s3cret" },
        }, KubeTestCluster.Namespace);
        await client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "other" } }, KubeTestCluster.Namespace);

        var secret = await client.CoreV1.ReadNamespacedSecretAsync("bitwarden-api-key", KubeTestCluster.Namespace);
        System.Text.Encoding.UTF8.GetString(secret.Data["client_secret"]).Should().Be("s3cret", "stringData is stored as data");

        (await client.CoreV1.ListNamespacedSecretAsync(KubeTestCluster.Namespace, labelSelector: "app=dc")).Items
            .Select(s => s.Metadata.Name).Should().Equal("bitwarden-api-key");
        (await client.CoreV1.ListNamespacedSecretAsync(KubeTestCluster.Namespace, fieldSelector: "metadata.name=other")).Items
            .Select(s => s.Metadata.Name).Should().Equal("other");
        (await client.CoreV1.ListNamespacedSecretAsync(KubeTestCluster.Namespace, labelSelector: "app notin (dc)")).Items
            .Select(s => s.Metadata.Name).Should().Equal("other");

        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = "directory" },
            Data = new Dictionary<string, string> { ["users.ldif"] = "dn: cn=a" },
        }, KubeTestCluster.Namespace);
        (await client.CoreV1.ReadNamespacedConfigMapAsync("directory", KubeTestCluster.Namespace)).Data["users.ldif"].Should().Be("dn: cn=a");

        var lease = await client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease
        {
            Metadata = new V1ObjectMeta { Name = "directory-connector" },
            Spec = new V1LeaseSpec { HolderIdentity = "pod-a", LeaseDurationSeconds = 15 },
        }, KubeTestCluster.Namespace);
        lease.Spec.HolderIdentity = "pod-b";
        await client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, "directory-connector", KubeTestCluster.Namespace);
        lease.Spec.HolderIdentity = "pod-c";
        var (code, _) = await KubeTestCluster.FailureOf(() => client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, "directory-connector", KubeTestCluster.Namespace));
        code.Should().Be(HttpStatusCode.Conflict, "two candidates cannot both take the lease from the same version");

        await client.CoreV1.CreateNamespacedEventAsync(new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = "corp-ad.1" },
            InvolvedObject = new V1ObjectReference { Kind = "DirectorySync", Name = "corp-ad", NamespaceProperty = KubeTestCluster.Namespace },
            Reason = "Synced",
            Type = "Normal",
            Message = "Synced 3 users",
        }, KubeTestCluster.Namespace);
        await client.EventsV1.CreateNamespacedEventAsync(new Eventsv1Event
        {
            Metadata = new V1ObjectMeta { Name = "corp-ad.2" },
            EventTime = DateTime.UtcNow,
            Reason = "SyncFailed",
            Type = "Warning",
            Action = "Sync",
            ReportingController = "directoryconnector.dev/operator",
            ReportingInstance = "pod-a",
            Regarding = new V1ObjectReference { Kind = "DirectorySync", Name = "corp-ad", NamespaceProperty = KubeTestCluster.Namespace },
        }, KubeTestCluster.Namespace);
        (await client.CoreV1.ListNamespacedEventAsync(KubeTestCluster.Namespace)).Items.Single().Reason.Should().Be("Synced");
        (await client.EventsV1.ListNamespacedEventAsync(KubeTestCluster.Namespace)).Items.Single().Reason.Should().Be("SyncFailed");
        (await client.CoreV1.ReadNamespaceAsync(KubeTestCluster.Namespace)).Metadata.Name.Should().Be(KubeTestCluster.Namespace);
    }

    [Fact]
    public async Task Injected500And429AnswerTheNextRequestsThenClear()
    {
        await using var cluster = await KubeTestCluster.StartAsync();
        cluster.Emulator.Faults.FailNextRequests(1);
        var (failed, _) = await KubeTestCluster.FailureOf(() => cluster.Client.CoreV1.ListNamespacedSecretAsync("default"));
        failed.Should().Be(HttpStatusCode.InternalServerError);

        cluster.Emulator.Faults.ThrottleNextRequests(1, TimeSpan.FromSeconds(3));
        var (throttled, status) = await KubeTestCluster.FailureOf(() => cluster.Client.CoreV1.ListNamespacedSecretAsync("default"));
        throttled.Should().Be((HttpStatusCode)429);
        status.Details.RetryAfterSeconds.Should().Be(3);

        (await cluster.Client.CoreV1.ListNamespacedSecretAsync("default")).Items.Should().BeEmpty();
    }

    [Fact]
    public async Task DeletePreconditionsAndFinalizersBehaveLikeTheServer()
    {
        await using var cluster = await KubeTestCluster.StartAsync();
        var sample = KubeTestCluster.Sample("corp-ad");
        sample.Metadata.Finalizers = ["directoryconnector.dev/cleanup"];
        var created = await cluster.CreateAsync(sample);

        var (code, status) = await KubeTestCluster.FailureOf(() => cluster.Client.CustomObjects.DeleteNamespacedCustomObjectAsync(
            DirectorySync.Group, DirectorySync.Version, KubeTestCluster.Namespace, DirectorySync.Plural, "corp-ad",
            new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = "not-the-uid" } }));
        code.Should().Be(HttpStatusCode.Conflict);
        status.Message.Should().StartWith("Precondition failed: UID in precondition: not-the-uid");

        await cluster.Client.CustomObjects.DeleteNamespacedCustomObjectAsync(
            DirectorySync.Group, DirectorySync.Version, KubeTestCluster.Namespace, DirectorySync.Plural, "corp-ad",
            new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = created.Metadata.Uid } });
        var terminating = await cluster.GetAsync("corp-ad");
        terminating.Metadata.DeletionTimestamp.Should().NotBeNull("a finalizer holds the object until it is removed");

        await cluster.PatchAsync("corp-ad", """{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch);
        (await KubeTestCluster.FailureOf(() => cluster.GetAsync("corp-ad"))).Code.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ListsPageWithLimitAndContinue()
    {
        await using var cluster = await KubeTestCluster.StartAsync();
        foreach (var name in new[] { "a", "b", "c", "d", "e" })
        {
            await cluster.CreateAsync(KubeTestCluster.Sample(name));
        }

        var names = new List<string>();
        string? continueToken = null;
        var pages = 0;
        do
        {
            var page = await cluster.Client.CustomObjects.ListNamespacedCustomObjectAsync<DirectorySyncList>(
                DirectorySync.Group, DirectorySync.Version, KubeTestCluster.Namespace, DirectorySync.Plural,
                continueParameter: continueToken, limit: 2);
            names.AddRange(page.Items.Select(i => i.Metadata.Name));
            continueToken = page.Metadata.ContinueProperty;
            pages++;
        }
        while (!string.IsNullOrEmpty(continueToken));

        names.Should().Equal("a", "b", "c", "d", "e");
        pages.Should().Be(3);
    }

    [Fact]
    public async Task InjectedLatencyDelaysEveryAnswer()
    {
        await using var cluster = await KubeTestCluster.StartAsync();
        cluster.Emulator.Faults.Latency = TimeSpan.FromMilliseconds(300);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await cluster.Client.CoreV1.ListNamespacedSecretAsync("default");

        clock.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(290), "the answer waits for the injected latency");
    }
}
