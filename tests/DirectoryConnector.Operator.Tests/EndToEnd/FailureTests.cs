using DirectoryConnector.Engine.Bitwarden;
using DirectoryConnector.TestSupport.Logging;
using FluentAssertions;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;
using Xunit.Abstractions;
using static DirectoryConnector.Operator.Tests.EndToEnd.OperatorEnvironment;

namespace DirectoryConnector.Operator.Tests.EndToEnd;

/// <summary>Failures an administrator meets: a flaky Bitwarden, a wrong API key, a Secret in the wrong namespace.</summary>
public sealed class FailureTests(ITestOutputHelper output)
{
    [Fact]
    public async Task RetryableBitwardenFailuresBackOffAndRecoverWithOneWarning()
    {
        await using var env = await StartAsync(output);
        await env.PutApiKeySecretAsync();
        await env.PutDirectoryAsync(new Dictionary<string, string> { [DirectoryKey] = DirectoryJson(users: 2) });
        env.Bitwarden.FailNext(3, 503);
        await env.StartOperatorAsync(configureServices: services => services.Configure<BitwardenClientOptions>(o => o.MaxAttempts = 1));

        await env.CreateDirectorySyncAsync("corp", env.Spec());
        var synced = await env.WaitForAsync("corp", s => IsReady(s, "Synced"), "Synced after the failures");

        env.Bitwarden.ImportRequests.Should().HaveCount(4, "three failed tries, each retried by the work queue, then success");
        env.Bitwarden.Organization.Members.Should().HaveCount(2);
        synced.Status!.Conditions!.Should().Contain(c => c.Type == "Stalled" && c.Status == "False");
        var events = await env.WaitForEventsAsync("corp", e => e.Reason == "Synced", "the Synced event");
        events.Where(e => e.Type == "Warning").Should().ContainSingle("repeats of the same failure are not new transitions")
            .Which.Message.Should().StartWith("BitwardenUnavailable:");
        events.Should().ContainSingle(e => e.Reason == "Synced");
    }

    [Fact]
    public async Task AWrongApiKeyStallsWithoutLeakingItAndRotatingTheSecretRecovers()
    {
        await using var env = await StartAsync(output);
        const string WrongSecret = "wrongSecret-not-the-real-one-0042";
        await env.PutApiKeySecretAsync(clientSecret: WrongSecret);
        await env.PutDirectoryAsync(new Dictionary<string, string> { [DirectoryKey] = DirectoryJson(users: 2) });
        var logs = new CapturedLogs();
        await env.StartOperatorAsync(configureServices: services => services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug)));

        await env.CreateDirectorySyncAsync("corp", env.Spec());
        var stalled = await env.WaitForAsync("corp", s => Ready(s)?.Reason == "BitwardenAuthFailed", "Ready=False/BitwardenAuthFailed");
        stalled.Status!.Conditions!.Should().Contain(c => c.Type == "Stalled" && c.Status == "True");
        var tokenRequests = env.Bitwarden.TokenRequests.Count;

        await env.PutApiKeySecretAsync();
        await env.WaitForAsync("corp", s => IsReady(s, "Synced"), "recovery after the Secret rotation");
        env.Bitwarden.TokenRequests.Count.Should().BeGreaterThan(tokenRequests);
        env.Bitwarden.Organization.Members.Should().HaveCount(2);

        var everything = string.Join('\n', logs.Lines)
            + KubernetesJsonOf(await env.GetAsync("corp"))
            + string.Join('\n', (await env.EventsForAsync("corp")).Select(e => e.Message));
        logs.Lines.Should().NotBeEmpty();
        everything.Should().NotContain(WrongSecret).And.NotContain(env.Bitwarden.ClientSecret);
    }

    [Fact]
    public async Task ASecretIsReadOnlyFromTheDirectorySyncsOwnNamespace()
    {
        await using var env = await StartAsync(output);
        await env.PutDirectoryAsync(new Dictionary<string, string> { [DirectoryKey] = DirectoryJson(users: 2) });
        await env.Client.CoreV1.CreateNamespacedSecretAsync(
            new k8s.Models.V1Secret
            {
                Metadata = new k8s.Models.V1ObjectMeta { Name = ApiKeySecret, NamespaceProperty = "operators" },
                StringData = new Dictionary<string, string> { ["client_id"] = env.Bitwarden.ClientId, ["client_secret"] = env.Bitwarden.ClientSecret },
            },
            "operators");
        await env.StartOperatorAsync();

        await env.CreateDirectorySyncAsync("corp", env.Spec());
        var stalled = await env.WaitForAsync("corp", s => Ready(s)?.Reason == "SecretNotFound", "SecretNotFound although another namespace has it");
        Ready(stalled)!.Message.Should().Contain($"namespace \"{Namespace}\"");
        env.Bitwarden.TokenRequests.Should().BeEmpty();
    }

    [Fact]
    public async Task StatusIsWrittenOnlyWhenItChanges()
    {
        await using var env = await StartAsync(output);
        await env.PutApiKeySecretAsync();
        await env.PutDirectoryAsync(new Dictionary<string, string> { [DirectoryKey] = DirectoryJson(users: 2) });
        await env.StartOperatorAsync();
        await env.CreateDirectorySyncAsync("corp", env.Spec());
        await env.WaitForAsync("corp", s => IsReady(s, "Synced"), "first sync");
        var statusWrites = StatusWrites(env);
        statusWrites.Should().Be(2, "one write when the sync starts (Reconciling) and one with the result");

        // A label change is enqueued (labels may select shards) but nothing is due: no sync, no status write.
        await env.PatchAsync("corp", new { metadata = new { labels = new Dictionary<string, string> { ["team"] = "it" } } });
        var adds = env.Kube.Requests.Count;
        await WaitUntilAsync(() => env.Kube.Requests.Count > adds, "the operator saw the label change");
        await Task.Delay(TimeSpan.FromMilliseconds(500)); // bounded observation window for a write that must not happen
        StatusWrites(env).Should().Be(statusWrites);
        env.Bitwarden.ImportRequests.Should().HaveCount(1);
    }

    private static int StatusWrites(OperatorEnvironment env)
        => env.Kube.Requests.Count(r => r.StartsWith("PATCH ", StringComparison.Ordinal) && r.Contains("/directorysyncs/corp/status", StringComparison.Ordinal));

    private static string KubernetesJsonOf(object value) => k8s.KubernetesJson.Serialize(value);
}
