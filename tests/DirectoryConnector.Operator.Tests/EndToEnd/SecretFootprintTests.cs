using System.Text;
using FluentAssertions;
using k8s;
using k8s.Models;
using Xunit;
using Xunit.Abstractions;
using static DirectoryConnector.Operator.Tests.EndToEnd.OperatorEnvironment;

namespace DirectoryConnector.Operator.Tests.EndToEnd;

/// <summary>Secrets reach the operator only when a sync reads the ones it references; the rest stay metadata.</summary>
public sealed class SecretFootprintTests(ITestOutputHelper output)
{
    [Fact]
    public async Task OnlyReferencedSecretsAreReadAndARotationStillResyncs()
    {
        await using var env = await StartAsync(output);
        await env.PutApiKeySecretAsync();
        await env.PutDirectoryAsync(new Dictionary<string, string> { [DirectoryKey] = DirectoryJson(users: 3) });
        for (var i = 0; i < 20; i++)
        {
            await env.Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
            {
                Metadata = new V1ObjectMeta { Name = $"unrelated-{i}" },
                Data = new Dictionary<string, byte[]> { ["token"] = Encoding.UTF8.GetBytes($"unrelated-value-{i}") },
            }, Namespace);
        }

        await env.StartOperatorAsync();
        await env.CreateDirectorySyncAsync("corp", env.Spec());
        await env.WaitForAsync("corp", s => IsReady(s, "Synced"), "first sync");
        var rotated = await env.PutApiKeySecretAsync();
        await env.WaitForAsync("corp", s => IsReady(s) && s.Status!.SyncedRevision!.Contains($"secret/{ApiKeySecret}={rotated.Metadata.ResourceVersion}", StringComparison.Ordinal), "resync after the rotation");

        var operatorCalls = env.Kube.Recorded.Where(r => r.Path.Contains("/secrets", StringComparison.Ordinal) && r.Method == "GET").ToList();
        operatorCalls.Where(r => r.Path.EndsWith("/secrets", StringComparison.Ordinal))
            .Should().NotBeEmpty().And.OnlyContain(r => r.Accept != null && r.Accept.Contains("as=PartialObjectMetadata", StringComparison.Ordinal),
                "lists and watches of Secrets ask for metadata only");
        operatorCalls.Where(r => !r.Path.EndsWith("/secrets", StringComparison.Ordinal) && r.Accept?.Contains("as=PartialObjectMetadata", StringComparison.Ordinal) != true)
            .Select(r => r.Path).Distinct().Should().Equal([$"/api/v1/namespaces/{Namespace}/secrets/{ApiKeySecret}"], "only the referenced Secret's value is read");
    }
}
