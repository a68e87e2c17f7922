using System.Text.Json.Nodes;
using DirectoryConnector.TestSupport.Tools;
using FluentAssertions;
using Xunit;
using static DirectoryConnector.Operator.Tests.Shipping.HelmChart;

namespace DirectoryConnector.Operator.Tests.Shipping;

/// <summary>
/// The Grafana dashboard (charts/directory-connector-operator/files/grafana-dashboard.json): each panel issue 12 asks
/// for, querying the metric that shows it, shipped by the chart as a ConfigMap the Grafana sidecar loads. That each
/// query runs on a real Prometheus scraping the operator is PrometheusScrapeTests'.
/// </summary>
public sealed class GrafanaDashboardTests
{
    public static string DashboardFile => Path.Combine(ExternalTool.ChartDirectory, "files", "grafana-dashboard.json");

    /// <summary>Issue 12's panels: what the panel shows, and the metric (and grouping) its query must use.</summary>
    public static TheoryData<string, string, string?> IssuePanels => new()
    {
        { "syncs per DirectorySync with result", "directorysync_sync_total", "result" },
        { "sync duration", "directorysync_sync_duration_seconds_bucket", null },
        { "users/groups over time", "directorysync_directory_objects", null },
        { "errors by reason", "directorysync_sync_errors_total", "reason" },
        { "age of last success", "directorysync_last_success_timestamp_seconds", null },
        { "workqueue depth", "workqueue_depth", null },
        { "leader", "leader_election_master_status", null },
    };

    [Theory]
    [MemberData(nameof(IssuePanels))]
    public void EachPanelTheIssueListsQueriesItsMetric(string what, string metric, string? groupedBy)
    {
        var panels = Panels().Where(p => Queries(p).Any(q => q.Contains(metric + "{", StringComparison.Ordinal) || q.Contains(metric + ")", StringComparison.Ordinal))).ToList();

        panels.Should().NotBeEmpty($"the dashboard shows {what} from {metric}");
        if (groupedBy is not null)
        {
            panels.SelectMany(Queries).Where(q => q.Contains(metric, StringComparison.Ordinal))
                .Should().Contain(q => q.Contains("by (namespace, name, " + groupedBy + ")", StringComparison.Ordinal), $"{what}: one series per DirectorySync and {groupedBy}");
        }
    }

    [Fact]
    public void PanelsQueryTheDataSourceVariableAndFilterByTheDashboardsNamespaceAndName()
    {
        var dashboard = Dashboard();
        var variables = dashboard["templating"]!["list"]!.AsArray().Select(v => (string)v!["name"]!).ToList();
        variables.Should().Contain(["datasource", "namespace", "name"]);

        foreach (var panel in Panels())
        {
            ((string?)panel["datasource"]?["uid"]).Should().Be("${datasource}", $"panel \"{panel["title"]}\" follows the data source picker");
            foreach (var query in Queries(panel).Where(q => q.Contains("directorysync_", StringComparison.Ordinal)))
            {
                query.Should().Contain("namespace=~\"$namespace\"", $"panel \"{panel["title"]}\" follows the namespace picker").And.Contain("name=~\"$name\"");
            }
        }

        Panels().Select(p => (int)p["id"]!).Should().OnlyHaveUniqueItems("Grafana tells panels apart by id");
    }

    [ToolFact("helm")]
    public async Task ChartShipsTheDashboardAsAConfigMapTheGrafanaSidecarLoads()
    {
        OfKind(await TemplateAsync(), "ConfigMap").Should().BeEmpty("the dashboard is optional");

        var configMap = Single(await TemplateAsync("--set", "grafanaDashboard.enabled=true", "--set", "grafanaDashboard.namespace=monitoring"), "ConfigMap");

        configMap["metadata"]!["labels"]!["grafana_dashboard"]!.GetValue<string>().Should().Be("1", "kube-prometheus-stack's sidecar loads ConfigMaps labelled grafana_dashboard: \"1\"");
        configMap["metadata"]!["namespace"]!.GetValue<string>().Should().Be("monitoring");
        var data = configMap["data"]!.AsObject().Should().ContainSingle().Subject;
        data.Key.Should().EndWith(".json");
        JsonNode.DeepEquals(JsonNode.Parse((string)data.Value!), Dashboard()).Should().BeTrue("the ConfigMap holds files/grafana-dashboard.json as it is");
    }

    public static JsonObject Dashboard() => JsonNode.Parse(File.ReadAllText(DashboardFile))!.AsObject();

    public static IEnumerable<JsonObject> Panels() => Dashboard()["panels"]!.AsArray().OfType<JsonObject>();

    public static IEnumerable<string> Queries(JsonObject panel) =>
        panel["targets"]?.AsArray().Select(t => (string?)t!["expr"]).OfType<string>() ?? [];
}
