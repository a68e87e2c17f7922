using System.Net;
using System.Text.Json.Nodes;
using DirectoryConnector.Operator.Reconciliation;
using DirectoryConnector.Operator.Resources;
using FluentAssertions;
using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using k8s.Models;
using Xunit;

namespace DirectoryConnector.Operator.Tests.Emulator;

/// <summary>
/// The emulator refuses what the API server refuses where the operator writes (issue #15): objects in a namespace that
/// does not exist (the NamespaceLifecycle admission plugin's 404), metadata.name per type, Events (core/v1 legacy and
/// events.k8s.io/v1 strict rules, pkg/apis/core/validation/events.go) and Leases (typed decoding and
/// pkg/apis/coordination/validation), each with the server's code, field path and message; and accepts what the
/// operator and KubernetesClient's leader election actually send.
/// </summary>
public sealed class KubeApiEmulatorValidationTests
{
    private const string Missing = "not-created";

    [Fact]
    public async Task CreatingOrReplacingInANamespaceThatDoesNotExistIs404WithTheNamespacesStatus()
    {
        await using var cluster = await KubeTestCluster.StartAsync();
        var secret = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Secret", ["metadata"] = new JsonObject { ["name"] = "api-key" } };

        var created = await cluster.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{Missing}/secrets", secret);
        var dryRun = await cluster.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{Missing}/secrets?dryRun=All", secret);
        var replaced = await cluster.SendAsync(HttpMethod.Put, $"/api/v1/namespaces/{Missing}/secrets/api-key", secret);
        var (syncCode, syncStatus) = await KubeTestCluster.FailureOf(() => cluster.Client.CustomObjects.CreateNamespacedCustomObjectAsync(
            KubeTestCluster.Sample("corp"), DirectorySync.Group, DirectorySync.Version, Missing, DirectorySync.Plural));
        var (leaseCode, leaseStatus) = await KubeTestCluster.FailureOf(() => cluster.Client.CoordinationV1.CreateNamespacedLeaseAsync(
            new V1Lease { Metadata = new V1ObjectMeta { Name = "directory-connector" }, Spec = new V1LeaseSpec { HolderIdentity = "pod-a" } }, Missing));

        // The Status body kube-apiserver sends (the admission plugin returns the Namespace's NotFound as is).
        var expected = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = $"namespaces \"{Missing}\" not found",
            ["reason"] = "NotFound",
            ["details"] = new JsonObject { ["name"] = Missing, ["kind"] = "namespaces" },
            ["code"] = 404,
        };
        foreach (var (code, body) in new[] { created, dryRun, replaced })
        {
            code.Should().Be(HttpStatusCode.NotFound);
            JsonNode.DeepEquals(body, expected).Should().BeTrue(body.ToJsonString());
        }

        (syncCode, syncStatus.Message, leaseCode, leaseStatus.Message).Should().Be(
            (HttpStatusCode.NotFound, $"namespaces \"{Missing}\" not found", HttpStatusCode.NotFound, $"namespaces \"{Missing}\" not found"));

        // Reads are not admitted: the object's own 404, and an empty list.
        var (getCode, getStatus) = await KubeTestCluster.FailureOf(() => cluster.Client.CoreV1.ReadNamespacedSecretAsync("api-key", Missing));
        (getCode, getStatus.Message).Should().Be((HttpStatusCode.NotFound, "secrets \"api-key\" not found"));
        (await cluster.Client.CoreV1.ListNamespacedSecretAsync(Missing)).Items.Should().BeEmpty();

        // Once the namespace exists, the same create succeeds; a new Namespace is Active.
        var ns = await cluster.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Missing } });
        ns.Status.Phase.Should().Be("Active");
        (await cluster.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{Missing}/secrets", secret)).Code.Should().Be(HttpStatusCode.Created);
    }

    [Fact]
    public async Task ANewClusterHasItsFourNamespacesAndNamesFollowEachTypesRule()
    {
        await using var cluster = await KubeTestCluster.StartAsync();
        (await cluster.Client.CoreV1.ListNamespaceAsync()).Items.Select(n => n.Metadata.Name)
            .Should().BeEquivalentTo("default", "kube-system", "kube-public", "kube-node-lease", KubeTestCluster.Namespace);

        var (secretCode, secret) = await KubeTestCluster.FailureOf(() => cluster.Client.CoreV1.CreateNamespacedSecretAsync(
            new V1Secret { Metadata = new V1ObjectMeta { Name = "API_Key" } }, KubeTestCluster.Namespace));
        (secretCode, secret.Message).Should().Be(((HttpStatusCode)422,
            "Secret \"API_Key\" is invalid: metadata.name: Invalid value: \"API_Key\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"));
        secret.Details.Causes.Should().ContainSingle(c => c.Field == "metadata.name" && c.Reason == "FieldValueInvalid");

        var (nsCode, ns) = await KubeTestCluster.FailureOf(() => cluster.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "team.a" } }));
        (nsCode, ns.Message).Should().Be(((HttpStatusCode)422, "Namespace \"team.a\" is invalid: metadata.name: Invalid value: \"team.a\": must not contain dots"));

        var (syncCode, sync) = await KubeTestCluster.FailureOf(() => cluster.CreateAsync(KubeTestCluster.Sample("Corp")));
        syncCode.Should().Be((HttpStatusCode)422);
        sync.Message.Should().StartWith("DirectorySync.directoryconnector.dev \"Corp\" is invalid: metadata.name: Invalid value: \"Corp\": a lowercase RFC 1123 subdomain");

        var (longCode, tooLong) = await KubeTestCluster.FailureOf(() => cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = new string('a', 254) } }, KubeTestCluster.Namespace));
        longCode.Should().Be((HttpStatusCode)422);
        tooLong.Details.Causes.Select(c => c.Message).Should().Contain("Invalid value: \"" + new string('a', 254) + "\": must be no more than 253 characters");
    }

    [Fact]
    public async Task CoreV1EventsGetTheLegacyRulesAndTheOperatorsEventsPassThem()
    {
        await using var cluster = await KubeTestCluster.StartAsync();
        var sync = await cluster.CreateAsync(KubeTestCluster.Sample("corp"));

        // What the operator writes, written by the operator's own code.
        var store = new KubernetesDirectorySyncStore(cluster.Client, "operator-pod-a", TimeProvider.System);
        await store.RecordEventAsync(sync, "Normal", "Synced", new string('m', 2000), CancellationToken.None);
        var recorded = (await cluster.Client.CoreV1.ListNamespacedEventAsync(KubeTestCluster.Namespace)).Items.Should().ContainSingle().Subject;
        recorded.Message.Should().HaveLength(2000, "an Event without eventTime has no note limit");

        // Without involvedObject, an Event's namespace must be "default" (or none).
        var orphan = await cluster.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{KubeTestCluster.Namespace}/events",
            new JsonObject { ["metadata"] = new JsonObject { ["name"] = "corp.1" }, ["reason"] = "Synced" });
        (orphan.Code, orphan.Body["message"]!.GetValue<string>()).Should().Be(((HttpStatusCode)422,
            "Event \"corp.1\" is invalid: involvedObject.namespace: Invalid value: \"\": does not match event.namespace"));
        Causes(orphan.Body).Should().Equal(("involvedObject.namespace", "FieldValueInvalid", "Invalid value: \"\": does not match event.namespace"));
        (await EventFailure(cluster, Event("corp.2", involvedNamespace: "elsewhere"))).Message
            .Should().Be("Event \"corp.2\" is invalid: involvedObject.namespace: Invalid value: \"elsewhere\": does not match event.namespace");

        // A core/v1 Event's name need only be a path segment.
        await cluster.Client.CoreV1.CreateNamespacedEventAsync(Event("Corp_Sync.17f3"), KubeTestCluster.Namespace);
        (await EventFailure(cluster, Event(".."))).Message.Should().Be("Event \"..\" is invalid: metadata.name: Invalid value: \"..\": may not be '..'");

        // With eventTime (a new-style Event through core/v1) the reporting fields are required and bounded.
        var newStyle = Event("corp.3");
        newStyle.EventTime = DateTime.UtcNow;
        newStyle.Reason = new string('r', 129);
        newStyle.ReportingInstance = "operator-pod-a";
        var failure = await EventFailure(cluster, newStyle);
        failure.Details.Causes.Select(c => (c.Field, c.Message)).Should().Equal(
            ("reportingController", "Required value"),
            ("reportingController", "Invalid value: \"\": name part must be non-empty"),
            ("reportingController", "Invalid value: \"\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"),
            ("action", "Required value"),
            ("reason", "Invalid value: \"\": can have at most 128 characters"));
    }

    [Fact]
    public async Task EventsK8sIoV1EventsGetTheStrictRulesUnderTheirCoreFieldNames()
    {
        await using var cluster = await KubeTestCluster.StartAsync();
        var valid = EventsV1("corp.1");
        await cluster.Client.EventsV1.CreateNamespacedEventAsync(valid, KubeTestCluster.Namespace);

        var path = $"/apis/events.k8s.io/v1/namespaces/{KubeTestCluster.Namespace}/events";
        var invalid = JsonNode.Parse(KubernetesJson.Serialize(EventsV1("Corp_2")))!.AsObject();
        invalid.Remove("eventTime");
        invalid["type"] = "Info";
        invalid["deprecatedCount"] = 3;
        invalid["note"] = new string('n', 1025);
        invalid["reportingController"] = "directory connector";
        invalid["regarding"]!.AsObject().Remove("namespace");
        var (code, status) = await cluster.SendAsync(HttpMethod.Post, path, invalid);

        // Legacy rules first (an Event without eventTime belongs to its object's namespace), then the strict ones.
        code.Should().Be((HttpStatusCode)422);
        Causes(status).Select(c => (c.Field, c.Message)).Should().Equal(
            ("involvedObject.namespace", "Invalid value: \"\": does not match event.namespace"),
            ("metadata.name", "Invalid value: \"Corp_2\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"),
            ("eventTime", "Required value"),
            ("type", "Invalid value: \"\": has invalid value: Info"),
            ("count", "Invalid value: \"\": needs to be unset"));

        // With eventTime set, the reporting controller and the note are checked too (the note as core's message).
        invalid["eventTime"] = JsonNode.Parse(KubernetesJson.Serialize(EventsV1("x")))!["eventTime"]!.DeepClone();
        invalid["metadata"]!["name"] = "corp.2";
        invalid["type"] = "Warning";
        invalid.Remove("deprecatedCount");
        invalid["regarding"]!["namespace"] = KubeTestCluster.Namespace;
        var (_, withTime) = await cluster.SendAsync(HttpMethod.Post, path, invalid);
        Causes(withTime).Select(c => (c.Field, c.Message)).Should().Equal(
            ("reportingController", "Invalid value: \"directory connector\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"),
            ("message", "Invalid value: \"\": can have at most 1024 characters"));
    }

    [Fact]
    public async Task LeasesAreDecodedAndValidatedAsTheServerDoesAndLeaderElectionsWritesPass()
    {
        await using var cluster = await KubeTestCluster.StartAsync();
        var path = $"/apis/coordination.k8s.io/v1/namespaces/{KubeTestCluster.Namespace}/leases";

        var wrongType = await cluster.SendAsync(HttpMethod.Post, path, Lease("operator", new JsonObject { ["leaseDurationSeconds"] = "15" }));
        (wrongType.Code, wrongType.Body["message"]!.GetValue<string>()).Should().Be((HttpStatusCode.BadRequest,
            "Lease in version \"v1\" cannot be handled as a Lease: json: cannot unmarshal string into Go struct field LeaseSpec.spec.leaseDurationSeconds of type int32"));
        var notMicroTime = await cluster.SendAsync(HttpMethod.Post, path, Lease("operator", new JsonObject { ["renewTime"] = "2026-03-02T09:00:00Z" }));
        (notMicroTime.Code, notMicroTime.Body["message"]!.GetValue<string>()).Should().Be((HttpStatusCode.BadRequest,
            "Lease in version \"v1\" cannot be handled as a Lease: parsing time \"2026-03-02T09:00:00Z\" as \"2006-01-02T15:04:05.000000Z07:00\": cannot parse \"2026-03-02T09:00:00Z\" as \"2006-01-02T15:04:05.000000Z07:00\""));

        var invalid = await cluster.SendAsync(HttpMethod.Post, path, Lease("Operator_Lease", new JsonObject
        {
            ["leaseDurationSeconds"] = 0,
            ["leaseTransitions"] = -1,
            ["preferredHolder"] = "pod-b",
        }));
        invalid.Code.Should().Be((HttpStatusCode)422);
        Causes(invalid.Body).Should().Equal(
            ("metadata.name", "FieldValueInvalid", "Invalid value: \"Operator_Lease\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"),
            ("spec.leaseDurationSeconds", "FieldValueInvalid", "Invalid value: 0: must be greater than 0"),
            ("spec.leaseTransitions", "FieldValueInvalid", "Invalid value: -1: must be greater than or equal to 0"),
            ("spec.preferredHolder", "FieldValueForbidden", "Forbidden: may only be specified if `strategy` is defined"));
        var strategy = await cluster.SendAsync(HttpMethod.Post, path, Lease("operator", new JsonObject { ["strategy"] = "NewestEmulationVersion" }));
        Causes(strategy.Body).Should().Equal(("spec.strategy.strategy", "FieldValueNotSupported", "Unsupported value: \"NewestEmulationVersion\": supported values: \"OldestEmulationVersion\""));

        // KubernetesClient's leader election (what the operator runs) creates and renews a Lease the server accepts.
        var lease = new LeaseLock(cluster.Client, KubeTestCluster.Namespace, "directory-connector-operator", "pod-a");
        var now = DateTime.UtcNow;
        (await lease.CreateAsync(new LeaderElectionRecord { HolderIdentity = "pod-a", LeaseDurationSeconds = 15, AcquireTime = now, RenewTime = now }, CancellationToken.None)).Should().BeTrue();
        var held = await lease.GetAsync(CancellationToken.None);
        held.RenewTime = now.AddSeconds(5);
        (await lease.UpdateAsync(held, CancellationToken.None)).Should().BeTrue();

        // An update is validated like a create.
        var stored = await cluster.Client.CoordinationV1.ReadNamespacedLeaseAsync("directory-connector-operator", KubeTestCluster.Namespace);
        stored.Spec.LeaseDurationSeconds = -5;
        var (updateCode, update) = await KubeTestCluster.FailureOf(() => cluster.Client.CoordinationV1.ReplaceNamespacedLeaseAsync(stored, stored.Metadata.Name, KubeTestCluster.Namespace));
        (updateCode, update.Message).Should().Be(((HttpStatusCode)422,
            "Lease.coordination.k8s.io \"directory-connector-operator\" is invalid: spec.leaseDurationSeconds: Invalid value: -5: must be greater than 0"));
    }

    private static Corev1Event Event(string name, string involvedNamespace = KubeTestCluster.Namespace) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        InvolvedObject = new V1ObjectReference { Kind = "DirectorySync", Name = "corp", NamespaceProperty = involvedNamespace },
        Reason = "Synced",
        Type = "Normal",
        Message = "Synced 3 users",
    };

    private static Eventsv1Event EventsV1(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        EventTime = DateTime.UtcNow,
        Reason = "SyncFailed",
        Type = "Warning",
        Action = "Sync",
        ReportingController = "directoryconnector.dev/operator",
        ReportingInstance = "pod-a",
        Regarding = new V1ObjectReference { Kind = "DirectorySync", Name = "corp", NamespaceProperty = KubeTestCluster.Namespace },
    };

    private static JsonObject Lease(string name, JsonObject spec) => new()
    {
        ["apiVersion"] = "coordination.k8s.io/v1",
        ["kind"] = "Lease",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = spec,
    };

    private static async Task<V1Status> EventFailure(KubeTestCluster cluster, Corev1Event ev)
    {
        var (code, status) = await KubeTestCluster.FailureOf(() => cluster.Client.CoreV1.CreateNamespacedEventAsync(ev, KubeTestCluster.Namespace));
        code.Should().Be((HttpStatusCode)422, status.Message);
        return status;
    }

    private static List<(string Field, string Reason, string Message)> Causes(JsonObject status) =>
        [.. status["details"]!["causes"]!.AsArray().Select(c => (c!["field"]!.GetValue<string>(), c["reason"]!.GetValue<string>(), c["message"]!.GetValue<string>()))];
}
