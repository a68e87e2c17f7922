using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.Operator.Reconciliation;
using DirectoryConnector.Operator.Resources;
using FluentAssertions;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using Xunit.Abstractions;
using static DirectoryConnector.Operator.Tests.EndToEnd.OperatorEnvironment;

namespace DirectoryConnector.Operator.Tests.EndToEnd;

/// <summary>
/// The README's promises about the operator, proven by what it did (issue #15): --watch-namespace, --selector and
/// --concurrency.
/// </summary>
public sealed class OperatorPromiseTests(ITestOutputHelper output)
{
    private const string OperatorToken = "operator-token";

    [Fact]
    public async Task WatchNamespaceLimitsDirectorySyncsSecretsAndConfigMapsToTheWatchedNamespaces()
    {
        await using var env = await StartAsync(output);
        string[] watched = ["team-a", "team-b"];
        foreach (var ns in (string[])[.. watched, "team-c"])
        {
            await env.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
            await env.Client.CoreV1.CreateNamespacedSecretAsync(ApiKeySecretIn(env, ns), ns);
            await env.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = DirectoryConfigMap }, Data = new Dictionary<string, string> { [DirectoryKey] = DirectoryJson(users: 2, prefix: ns) } }, ns);
            await env.Client.CustomObjects.CreateNamespacedCustomObjectAsync(new DirectorySync { Metadata = new V1ObjectMeta { Name = "corp" }, Spec = env.Spec() }, DirectorySync.Group, DirectorySync.Version, ns, DirectorySync.Plural);
        }

        await env.StartOperatorAsync(o =>
        {
            o.WatchNamespaces = watched;
            o.Kubeconfig = OperatorKubeconfig(env);
        });
        foreach (var ns in watched)
        {
            await WaitForIn(env, ns, s => IsReady(s, "Synced"), $"{ns}/corp synced");
        }

        // A ConfigMap change in team-a and a Secret rotation in team-b reach the operator through its watches.
        var change = new { data = new Dictionary<string, string> { [DirectoryKey] = DirectoryJson(users: 3, prefix: "team-a") } };
        await env.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(System.Text.Json.JsonSerializer.Serialize(change), V1Patch.PatchType.MergePatch), DirectoryConfigMap, "team-a");
        await env.Client.CoreV1.PatchNamespacedSecretAsync(new V1Patch("""{"metadata":{"annotations":{"rotated":"1"}}}""", V1Patch.PatchType.MergePatch), ApiKeySecret, "team-b");
        await WaitForIn(env, "team-a", s => IsReady(s) && s.Status!.UserCount == 3, "team-a resynced after its ConfigMap changed");
        await WaitForIn(env, "team-b", s => IsReady(s, "UpToDate"), "team-b resynced after its Secret was rotated");

        // What the operator asked the API server for: only the watched namespaces (and nothing cluster-wide).
        var requests = env.Kube.Recorded.Where(r => r.BearerToken == OperatorToken).ToList();
        requests.Should().NotBeEmpty();
        requests.Should().NotContain(r => r.Path.Contains("/namespaces/team-c/", StringComparison.Ordinal), "team-c is not watched");
        requests.Should().NotContain(r => r.Path == "/api/v1/secrets" || r.Path == "/api/v1/configmaps" || r.Path.EndsWith("/v1alpha1/directorysyncs", StringComparison.Ordinal), "no cluster-wide list or watch");
        foreach (var ns in watched)
        {
            foreach (var plural in new[] { "secrets", "configmaps", "directorysyncs" })
            {
                requests.Should().Contain(r => r.Path.EndsWith($"/namespaces/{ns}/{plural}", StringComparison.Ordinal) && r.Query.GetValueOrDefault("watch") == "true", $"{plural} in {ns} are watched");
            }
        }

        (await ReadIn(env, "team-c")).Status.Should().BeNull();
        env.Bitwarden.Organization.Members.Select(m => m.ExternalId).Should().NotContain(id => id!.StartsWith("team-c", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ADirectorySyncRelabelledOutOfTheSelectorIsDroppedAndNotSyncedAgain()
    {
        await using var env = await StartAsync(output);
        await env.PutApiKeySecretAsync();
        await env.PutDirectoryAsync(new Dictionary<string, string> { [DirectoryKey] = DirectoryJson(users: 2) });
        var host = await env.StartOperatorAsync(o =>
        {
            o.LabelSelector = "shard=a";
            o.Concurrency = 1;
            o.Kubeconfig = OperatorKubeconfig(env);
        });
        await env.CreateDirectorySyncAsync("moving", env.Spec(), new Dictionary<string, string> { ["shard"] = "a" });
        await env.CreateDirectorySyncAsync("other-shard", env.Spec(), new Dictionary<string, string> { ["shard"] = "b" });
        await env.WaitForAsync("moving", s => IsReady(s), "the shard's DirectorySync synced");
        using var http = new HttpClient { BaseAddress = host.HttpAddress };
        (await http.GetStringAsync(new Uri("/metrics", UriKind.Relative))).Should().Contain("name=\"moving\"");

        await env.PatchAsync("moving", new { metadata = new { labels = new Dictionary<string, string> { ["shard"] = "b" } } });
        var relabelled = env.Kube.Recorded.Count;
        await env.PatchAsync("moving", new { spec = new { suspend = true } });
        // A barrier: the watch delivers in resourceVersion order and one worker drains the queue in order, so once
        // this later DirectorySync is synced, the operator has handled everything before it.
        await env.CreateDirectorySyncAsync("marker", env.Spec(), new Dictionary<string, string> { ["shard"] = "a" });
        await env.WaitForAsync("marker", s => IsReady(s), "the marker synced");

        var after = env.Kube.Recorded.Skip(relabelled).Where(r => r.BearerToken == OperatorToken).ToList();
        after.Should().NotContain(r => r.Path.Contains("/directorysyncs/moving", StringComparison.Ordinal), "a DirectorySync that left the selection is neither read nor written");
        (await env.GetAsync("moving")).Status!.ObservedGeneration.Should().Be(1, "the spec change was not reconciled by this shard");
        (await http.GetStringAsync(new Uri("/metrics", UriKind.Relative))).Should().NotContain("name=\"moving\"", "its series were removed when it left the selection");
        (await env.GetAsync("other-shard")).Status.Should().BeNull("another shard's DirectorySync is never touched");
    }

    [Fact]
    public async Task ConcurrencyNRunsExactlyNSyncsAtOnce()
    {
        const int N = 3;
        await using var env = await StartAsync(output);
        await env.PutApiKeySecretAsync();
        await env.PutDirectoryAsync(new Dictionary<string, string> { [DirectoryKey] = DirectoryJson(users: 2) });
        var gate = new GatedRunner();
        var host = await env.StartOperatorAsync(o => o.Concurrency = N, gate.Register);
        for (var i = 0; i < N + 2; i++)
        {
            await env.CreateDirectorySyncAsync($"corp-{i}", env.Spec());
        }

        // Lower bound: N syncs are running at once (each held until released), not fewer.
        await WaitUntilAsync(() => gate.Running == N, $"{N} syncs running at once");
        // Upper bound: with every worker held, the other two wait in the queue.
        using var http = new HttpClient { BaseAddress = host.HttpAddress };
        await WaitUntilAsync(() => http.GetStringAsync(new Uri("/metrics", UriKind.Relative)).GetAwaiter().GetResult()
            .Contains("workqueue_depth{name=\"directorysync\",controller=\"directorysync\"} 2", StringComparison.Ordinal), "two DirectorySyncs queued behind the held workers");
        gate.Running.Should().Be(N);
        gate.Started.Should().Be(N);

        gate.Release();
        for (var i = 0; i < N + 2; i++)
        {
            await env.WaitForAsync($"corp-{i}", s => IsReady(s), $"corp-{i} synced");
        }

        gate.MaxRunning.Should().Be(N);
        gate.Started.Should().Be(N + 2);
    }

    private static V1Secret ApiKeySecretIn(OperatorEnvironment env, string ns) => new()
    {
        Metadata = new V1ObjectMeta { Name = ApiKeySecret, NamespaceProperty = ns },
        StringData = new Dictionary<string, string> { ["client_id"] = env.Bitwarden.ClientId, ["client_secret"] = env.Bitwarden.ClientSecret },
    };

    /// <summary>A kubeconfig with its own bearer token, so the emulator's log tells the operator's requests from the test's.</summary>
    private static string OperatorKubeconfig(OperatorEnvironment env)
    {
        var path = Path.Combine(Path.GetDirectoryName(env.KubeconfigPath)!, "operator-kubeconfig");
        File.WriteAllText(path, env.Kube.KubeconfigYaml(Namespace, OperatorToken));
        return path;
    }

    private static async Task<DirectorySync> ReadIn(OperatorEnvironment env, string ns)
        => await env.Client.CustomObjects.GetNamespacedCustomObjectAsync<DirectorySync>(DirectorySync.Group, DirectorySync.Version, ns, DirectorySync.Plural, "corp");

    private static async Task WaitForIn(OperatorEnvironment env, string ns, Func<DirectorySync, bool> condition, string what)
    {
        DirectorySync? last = null;
        var deadline = DateTime.UtcNow + WaitLimit;
        while (DateTime.UtcNow < deadline)
        {
            last = await ReadIn(env, ns);
            if (condition(last))
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"{what} did not happen; last status: {(last?.Status is null ? "none" : KubernetesJson.Serialize(last.Status))}");
    }

    /// <summary>The real runner behind a gate: every sync waits until <see cref="Release"/>, counting how many run at once.</summary>
    private sealed class GatedRunner
    {
        private readonly TaskCompletionSource open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int running;
        private int maxRunning;
        private int started;

        public int Running => Volatile.Read(ref running);

        public int MaxRunning => Volatile.Read(ref maxRunning);

        public int Started => Volatile.Read(ref started);

        public void Release() => open.TrySetResult();

        public void Register(IServiceCollection services)
            => services.AddSingleton<ISyncRunner>(provider => new Runner(ActivatorUtilities.CreateInstance<EngineSyncRunner>(provider), this));

        private sealed class Runner(ISyncRunner inner, GatedRunner gate) : ISyncRunner
        {
            public async Task<SyncOutcome> RunAsync(CheckedSpec spec, IReferenceResolver references, SyncState? previous, SyncRunOptions options, CancellationToken cancellationToken)
            {
                Interlocked.Increment(ref gate.started);
                var now = Interlocked.Increment(ref gate.running);
                int seen;
                while (now > (seen = Volatile.Read(ref gate.maxRunning)) && Interlocked.CompareExchange(ref gate.maxRunning, now, seen) != seen)
                {
                }

                try
                {
                    await gate.open.Task.WaitAsync(cancellationToken);
                    return await inner.RunAsync(spec, references, previous, options, cancellationToken);
                }
                finally
                {
                    Interlocked.Decrement(ref gate.running);
                }
            }
        }
    }
}
