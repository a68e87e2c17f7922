using System.Text.Json.Nodes;
using DirectoryConnector.TestSupport;
using DirectoryConnector.TestSupport.Kubernetes;
using DirectoryConnector.TestSupport.Tools;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Operator.Tests.Shipping;

/// <summary>The alerts with the real promtool: valid, each firing and staying quiet as tests/prometheus describes, and
/// the same rules in the chart's PrometheusRule and config/prometheus.</summary>
public sealed class PrometheusRulesTests
{
    public static string RulesFile => Path.Combine(ExternalTool.ChartDirectory, "files", "prometheus-rules.yaml");

    [ToolFact("promtool")]
    public async Task RulesFilePassesPromtoolCheck()
    {
        var result = await ExternalTool.RunAsync(ExternalTool.Require("promtool"), ["check", "rules", RulesFile]);

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().Contain("SUCCESS: 6 rules found");
    }

    [ToolFact("promtool")]
    public async Task EachAlertFiresAndStaysQuietAsTheUnitTestsDescribe()
    {
        var tests = Path.Combine(Repository.Root, "tests", "prometheus", "prometheus-rules.test.yaml");

        var result = await ExternalTool.RunAsync(ExternalTool.Require("promtool"), ["test", "rules", tests]);

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().Contain("SUCCESS");
    }

    [ToolFact("helm", "promtool")]
    public async Task ChartPrometheusRuleIsTheRulesFileWithTheReleaseJobAndPassesPromtool()
    {
        var objects = await HelmChart.TemplateAsync("--set", "prometheusRule.enabled=true", "--set", "prometheusRule.renderMode=alwaysRender");
        var spec = HelmChart.Single(objects, "PrometheusRule")["spec"]!.AsObject();
        var expected = YamlJson.ReadDocuments((await File.ReadAllTextAsync(RulesFile))
            .Replace("job=\"directory-connector-operator-metrics\"", "job=\"dco-directory-connector-operator-metrics\",namespace=\"directory-connector\"", StringComparison.Ordinal)).Single();

        JsonNode.DeepEquals(spec, expected).Should().BeTrue($"the chart renders files/prometheus-rules.yaml with its own job:\n{spec}");
        var file = Path.Combine(Path.GetTempPath(), $"chart-rules-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, spec.ToJsonString());
        try
        {
            var check = await ExternalTool.RunAsync(ExternalTool.Require("promtool"), ["check", "rules", file]);
            check.ExitCode.Should().Be(0, check.ToString());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void KustomizePrometheusRuleHoldsTheSameRules()
    {
        var rule = YamlJson.ReadDocuments(File.ReadAllText(Path.Combine(Repository.Root, "config", "prometheus", "prometheusrule.yaml"))).Single();
        var rules = YamlJson.ReadDocuments(File.ReadAllText(RulesFile)).Single();

        JsonNode.DeepEquals(rule["spec"], rules).Should().BeTrue(
            "config/prometheus/prometheusrule.yaml's spec must equal charts/directory-connector-operator/files/prometheus-rules.yaml; copy the groups over");
    }
}
