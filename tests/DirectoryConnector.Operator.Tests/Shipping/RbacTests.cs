using System.Text.Json.Nodes;
using DirectoryConnector.Engine.Bitwarden;
using DirectoryConnector.Operator.Resources;
using Microsoft.Extensions.DependencyInjection;
using DirectoryConnector.TestSupport;
using DirectoryConnector.TestSupport.Kubernetes;
using DirectoryConnector.TestSupport.Tools;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;
using static DirectoryConnector.Operator.Tests.EndToEnd.OperatorEnvironment;

namespace DirectoryConnector.Operator.Tests.Shipping;

/// <summary>
/// The chart's RBAC (and config/rbac) grants exactly the calls the operator makes: the calls are what the emulator
/// records from the operator's own token while it syncs, rotates a Secret, fails and recovers, with leader election,
/// cluster-wide and with --watch-namespace; never a hand-kept list.
/// </summary>
public sealed class RbacTests(ITestOutputHelper output)
{
    private const string OperatorToken = "operator-service-account";
    private const string LeaseNamespace = "operators";

    [ToolFact("helm")]
    public async Task ClusterWideChartRbacGrantsExactlyTheRecordedCalls()
    {
        var calls = await RecordOperatorCallsAsync(watchNamespace: null);

        var rules = Rules(await HelmChart.TemplateAsync("--namespace", LeaseNamespace));

        AssertExact(calls, rules);
        // config/rbac grants the same, minus namespaces (its Role lives in directory-connector-system).
        AssertExact([.. calls.Select(c => c with { Namespace = c.Namespace is null || c.ApiGroup != "coordination.k8s.io" ? c.Namespace : "directory-connector-system" })],
            Rules(YamlJson.ReadDocuments(await File.ReadAllTextAsync(Path.Combine(Repository.Root, "config", "rbac", "role.yaml")))));
    }

    [ToolFact("helm")]
    public async Task WatchNamespacesChartRbacGrantsExactlyTheRecordedCallsThere()
    {
        var calls = await RecordOperatorCallsAsync(watchNamespace: Namespace);

        calls.Where(c => c.ApiGroup != "coordination.k8s.io").Should().OnlyContain(c => c.Namespace == Namespace, "a namespaced operator makes no cluster-wide call");
        AssertExact(calls, Rules(await HelmChart.TemplateAsync("--namespace", LeaseNamespace, "--set", $"watchNamespaces={{{Namespace}}}")));
    }

    private async Task<HashSet<RbacCall>> RecordOperatorCallsAsync(string? watchNamespace)
    {
        await using var env = await StartAsync(output);
        var kubeconfig = Path.Combine(Path.GetDirectoryName(env.KubeconfigPath)!, "operator-kubeconfig");
        await File.WriteAllTextAsync(kubeconfig, env.Kube.KubeconfigYaml(Namespace, OperatorToken));
        await env.PutApiKeySecretAsync();
        await env.PutDirectoryAsync(new Dictionary<string, string> { [DirectoryKey] = DirectoryJson(users: 3) });
        await env.StartOperatorAsync(configure: o =>
        {
            o.Kubeconfig = kubeconfig;
            o.LeaderElection = true;
            o.LeaderElectionNamespace = LeaseNamespace;
            if (watchNamespace is not null)
            {
                o.WatchNamespaces = [watchNamespace];
            }
        }, configureServices: services => services.Configure<BitwardenClientOptions>(o => o.MaxAttempts = 1));

        await env.CreateDirectorySyncAsync("corp", env.Spec());
        await env.WaitForAsync("corp", s => IsReady(s, "Synced"), "first sync");
        // A forced sync that fails once (status, a Warning event) and recovers on retry; then a Secret rotation.
        env.Bitwarden.FailNext(1, 500);
        await env.PatchAsync("corp", new { metadata = new { annotations = new Dictionary<string, string> { [DirectorySync.SyncRequestedAtAnnotation] = "2026-11-30T12:00:00Z" } } });
        await env.WaitForAsync("corp", s => IsReady(s) && !s.Status!.SyncedRevision!.Contains("req=-;", StringComparison.Ordinal), "recovery after the failure");
        (await env.EventsForAsync("corp")).Should().Contain(e => e.Type == "Warning", "the failure was reported as an event");
        var rotated = await env.PutApiKeySecretAsync();
        await env.WaitForAsync("corp", s => IsReady(s) && s.Status!.SyncedRevision!.Contains($"secret/{ApiKeySecret}={rotated.Metadata.ResourceVersion}", StringComparison.Ordinal), "resync after the rotation");
        await WaitUntilAsync(() => env.Kube.Recorded.Any(r => r.BearerToken == OperatorToken && r.Authorization is { Resource: "leases", Verb: "update" }), "a lease renewal");

        return [.. env.Kube.Recorded.Where(r => r.BearerToken == OperatorToken).Select(r => r.Authorization).OfType<RbacCall>()];
    }

    private static void AssertExact(IReadOnlyCollection<RbacCall> calls, List<Grant> grants)
    {
        var denied = calls.Where(c => !grants.Any(g => g.Allows(c))).Select(c => c.ToString()).Distinct().ToList();
        var unused = grants.Where(g => !calls.Any(g.Allows)).Select(g => g.ToString()).Distinct().ToList();
        var recorded = string.Join("\n  ", calls.Select(c => c.ToString()).Distinct().Order());

        denied.Should().BeEmpty($"every call the operator makes must be granted; it made:\n  {recorded}");
        unused.Should().BeEmpty($"nothing beyond the operator's calls may be granted; it made:\n  {recorded}");
    }

    /// <summary>One (group, resource, verb) a Role grants in its namespace, or a ClusterRole everywhere (Namespace null).</summary>
    private sealed record Grant(string ApiGroup, string Resource, string Verb, string? Namespace)
    {
        public bool Allows(RbacCall call) => call.ApiGroup == ApiGroup && call.Resource == Resource && call.Verb == Verb
            && (Namespace is null || call.Namespace == Namespace);

        public override string ToString() => $"{Verb} {ApiGroup}/{Resource} {(Namespace is null ? "cluster-wide" : "in " + Namespace)}";
    }

    private static List<Grant> Rules(IEnumerable<JsonObject> objects)
    {
        var grants = new List<Grant>();
        foreach (var role in objects.Where(o => (string?)o["kind"] is "Role" or "ClusterRole"))
        {
            var ns = (string?)role["kind"] == "Role" ? (string?)role["metadata"]!["namespace"] : null;
            foreach (var rule in role["rules"]!.AsArray())
            {
                foreach (var group in rule!["apiGroups"]!.AsArray())
                {
                    foreach (var resource in rule["resources"]!.AsArray())
                    {
                        foreach (var verb in rule["verbs"]!.AsArray())
                        {
                            grants.Add(new Grant((string)group!, (string)resource!, (string)verb!, ns));
                        }
                    }
                }
            }
        }

        return grants;
    }
}
