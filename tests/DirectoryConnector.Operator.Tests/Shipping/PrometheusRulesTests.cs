using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.Operator.Reconciliation;
using DirectoryConnector.TestSupport;
using DirectoryConnector.TestSupport.Kubernetes;
using DirectoryConnector.TestSupport.Tools;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Operator.Tests.Shipping;

/// <summary>The alerts with the real promtool: valid, each firing and staying quiet as tests/prometheus describes, and
/// the same rules in the chart's PrometheusRule and config/prometheus.</summary>
public sealed partial class PrometheusRulesTests
{
    public static string RulesFile => Path.Combine(ExternalTool.ChartDirectory, "files", "prometheus-rules.yaml");

    private const string RunbookUrl = "https://github.com/directoryconnector/directory-connector-operator/blob/main/docs/runbook.md#";

    /// <summary>Alerts about one DirectorySync: their description names it (the other two are about the operator).</summary>
    private static readonly string[] PerDirectorySync = ["DirectorySyncFailing", "DirectorySyncDeletionGuardTriggered", "DirectorySyncConflictsSkipped", "DirectorySyncStale"];

    [Fact]
    public void EveryAlertTheIssueListsExistsWithSummaryDescriptionAndARunbookSection()
    {
        var alerts = Alerts();
        alerts.Select(a => (string)a["alert"]!).Should().Contain(
            ["DirectorySyncFailing", "DirectorySyncStale", "DirectorySyncReconcileErrors", "DirectoryConnectorOperatorDown", "DirectorySyncDeletionGuardTriggered"]);
        var sections = RunbookAnchors();

        foreach (var alert in alerts)
        {
            var name = (string)alert["alert"]!;
            var annotations = alert["annotations"]!;
            ((string?)annotations["summary"]).Should().NotBeNullOrWhiteSpace($"{name} has a summary");
            var description = (string?)annotations["description"];
            description.Should().NotBeNullOrWhiteSpace($"{name} has a description");
            if (PerDirectorySync.Contains(name))
            {
                description.Should().Contain("DirectorySync {{ $labels.namespace }}/{{ $labels.name }}", $"{name} names the DirectorySync");
            }

            var url = (string?)annotations["runbook_url"];
            url.Should().StartWith(RunbookUrl, $"{name} links docs/runbook.md");
            sections.Should().Contain(url![RunbookUrl.Length..], $"{name}'s runbook_url points at a section of docs/runbook.md");
        }

        // The issue: "a description naming namespace/name and reason".
        foreach (var name in new[] { "DirectorySyncFailing", "DirectorySyncStale", "DirectorySyncReconcileErrors" })
        {
            ((string)alerts.Single(a => (string?)a["alert"] == name)["annotations"]!["description"]!).Should().Contain("reason", $"{name} names the reason");
        }
    }

    [Fact]
    public void PromtoolCasesMakeEveryAlertFireAndStayQuiet()
    {
        var cases = YamlJson.ReadDocuments(File.ReadAllText(Path.Combine(Repository.Root, "tests", "prometheus", "prometheus-rules.test.yaml"))).Single()["tests"]!.AsArray()
            .SelectMany(t => t!["alert_rule_test"]?.AsArray() ?? []).OfType<JsonObject>().ToList();

        foreach (var name in Alerts().Select(a => (string)a["alert"]!))
        {
            var own = cases.Where(c => (string?)c["alertname"] == name).ToList();
            var expected = own.Select(c => c["exp_alerts"]?.AsArray().Count ?? 0).ToList();
            expected.Should().Contain(count => count > 0, $"a case where {name} fires");
            expected.Should().Contain(0, $"a case where {name} stays quiet");
        }
    }

    [Fact]
    public void EveryReadyFailureReasonHasARunbookRowAndIsListedInTheReadmesTroubleshooting()
    {
        var runbook = File.ReadAllText(Path.Combine(Repository.Root, "docs", "runbook.md")).ReplaceLineEndings("\n");
        var failing = Section(runbook, "## DirectorySyncFailing");
        var readme = Section(File.ReadAllText(Path.Combine(Repository.Root, "README.md")).ReplaceLineEndings("\n"), "### 9. Troubleshooting by condition reason");

        foreach (var reason in Enum.GetNames<SyncFailureReason>().Append(Conditions.ReasonUnexpectedError))
        {
            failing.Should().Contain($"| `{reason}` |", $"the DirectorySyncFailing runbook says what to do for Ready reason {reason}");
            readme.Should().Contain($"`{reason}`", $"README's troubleshooting lists Ready reason {reason}");
        }
    }

    private static List<JsonObject> Alerts() =>
        [.. YamlJson.ReadDocuments(File.ReadAllText(RulesFile)).Single()["groups"]!.AsArray().SelectMany(g => g!["rules"]!.AsArray()).OfType<JsonObject>()];

    /// <summary>GitHub's anchors for docs/runbook.md's headings: lower case, spaces to hyphens, punctuation dropped.</summary>
    private static HashSet<string> RunbookAnchors() =>
        [.. File.ReadLines(Path.Combine(Repository.Root, "docs", "runbook.md")).Where(l => l.StartsWith('#'))
            .Select(l => NotInAnchor().Replace(l.TrimStart('#').Trim().ToLowerInvariant(), "").Replace(' ', '-'))];

    [GeneratedRegex(@"[^\p{L}\p{Nd}\- _]")]
    private static partial Regex NotInAnchor();

    private static string Section(string markdown, string heading)
    {
        var start = markdown.IndexOf("\n" + heading + "\n", StringComparison.Ordinal);
        start.Should().BeGreaterThanOrEqualTo(0, $"the document has a section {heading}");
        var level = heading[..(heading.IndexOf(' ', StringComparison.Ordinal) + 1)];
        var end = markdown.IndexOf("\n" + level, start + heading.Length + 1, StringComparison.Ordinal);
        return markdown[start..(end < 0 ? markdown.Length : end)];
    }

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
