using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using DirectoryConnector.Operator.Resources;
using DirectoryConnector.TestSupport.Kubernetes;
using FluentAssertions;
using k8s;
using k8s.Models;
using Xunit;

namespace DirectoryConnector.Operator.Tests.Emulator;

/// <summary>The Table kubectl asks for, built from the CRD's printer columns (without kubectl installed).</summary>
public sealed class KubeApiEmulatorTableTests
{
    [Fact]
    public async Task TableHasTheCrdColumnsWithReadyFilterAndAges()
    {
        await using var cluster = await KubeTestCluster.StartAsync();
        await cluster.CreateAsync(KubeTestCluster.Sample("corp-ad"));
        await cluster.CreateAsync(KubeTestCluster.Sample("fresh"));
        var lastSync = DateTime.UtcNow.AddHours(-5).AddMinutes(-7);
        var status = new
        {
            status = new DirectorySyncStatus
            {
                SourceType = "ldap",
                UserCount = 1204,
                GroupCount = 87,
                LastSyncTime = lastSync,
                Conditions =
                [
                    new V1Condition { Type = "Reconciling", Status = "False", Reason = "Idle", Message = "-", LastTransitionTime = lastSync },
                    new V1Condition { Type = "Ready", Status = "False", Reason = "SecretNotFound", Message = "Secret bitwarden-api-key not found", LastTransitionTime = lastSync },
                ],
            },
        };
        await cluster.PatchAsync("corp-ad", KubernetesJson.Serialize(status), V1Patch.PatchType.MergePatch, status: true);

        using var http = new HttpClient { BaseAddress = cluster.Emulator.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/apis/{DirectorySync.Group}/{DirectorySync.Version}/directorysyncs?limit=500");
        request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse("application/json;as=Table;v=v1;g=meta.k8s.io"));
        using var response = await http.SendAsync(request);
        var table = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        table["kind"]!.GetValue<string>().Should().Be("Table");
        table["columnDefinitions"]!.AsArray().Select(c => c!["name"]!.GetValue<string>())
            .Should().Equal("Name", "Source", "Interval", "Ready", "Status", "Users", "Groups", "Last Sync", "Age");
        var rows = table["rows"]!.AsArray().Select(r => r!["cells"]!.AsArray().Select(c => c?.ToJsonString()).ToList()).ToList();
        rows[0].Take(8).Should().Equal("\"corp-ad\"", "\"ldap\"", "\"15m\"", "\"False\"", "\"SecretNotFound\"", "1204", "87", "\"5h7m\"");
        rows[1].Take(8).Should().Equal("\"fresh\"", null, "\"15m\"", null, null, null, null, null);
        table["rows"]![0]!["object"]!["metadata"]!["namespace"]!.GetValue<string>().Should().Be(KubeTestCluster.Namespace);
    }

    [Theory]
    [InlineData(59, "59s")]
    [InlineData(150, "2m30s")]
    [InlineData(600, "10m")]
    [InlineData(3 * 3600 + 120, "3h2m")]
    [InlineData(30 * 3600, "30h")]
    [InlineData(3 * 86400 + 3600, "3d1h")]
    [InlineData(400 * 86400, "400d")]
    public void AgesReadLikeKubectl(int seconds, string expected) =>
        TableBuilder.HumanDuration(TimeSpan.FromSeconds(seconds)).Should().Be(expected);
}
