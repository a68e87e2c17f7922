using DirectoryConnector.TestSupport;
using DirectoryConnector.TestSupport.Kubernetes;
using DirectoryConnector.TestSupport.Tools;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Operator.Tests.Shipping;

/// <summary>`kubectl kustomize config/default` (and config/prometheus) render with the real kubectl.</summary>
public sealed class KustomizeTests
{
    [ToolFact("kubectl")]
    public async Task DefaultRendersTheOperatorWithTheProjectVersionImage()
    {
        var result = await ExternalTool.RunAsync(ExternalTool.Require("kubectl"), ["kustomize", "config/default"]);

        result.ExitCode.Should().Be(0, result.ToString());
        var objects = YamlJson.ReadDocuments(result.Output);
        objects.Select(o => (string)o["kind"]!).Should().BeEquivalentTo(
            ["Namespace", "CustomResourceDefinition", "ServiceAccount", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "Service", "Deployment"]);
        var image = (string)objects.Single(o => (string?)o["kind"] == "Deployment")["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!;
        image.Should().EndWith(":" + typeof(Hosting.OperatorHost).Assembly.GetName().Version!.ToString(3));
        objects.Where(o => (string?)o["kind"] is not ("Namespace" or "CustomResourceDefinition" or "ClusterRole" or "ClusterRoleBinding"))
            .Should().OnlyContain(o => (string?)o["metadata"]!["namespace"] == "directory-connector-system");
    }

    [ToolFact("kubectl")]
    public async Task PrometheusRendersTheServiceMonitorAndRules()
    {
        var result = await ExternalTool.RunAsync(ExternalTool.Require("kubectl"), ["kustomize", "config/prometheus"]);

        result.ExitCode.Should().Be(0, result.ToString());
        YamlJson.ReadDocuments(result.Output).Select(o => (string)o["kind"]!).Should().BeEquivalentTo(["PrometheusRule", "ServiceMonitor"]);
    }
}
