using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DirectoryConnector.Engine.Bitwarden;
using DirectoryConnector.Operator.Resources;
using DirectoryConnector.TestSupport;
using DirectoryConnector.TestSupport.Tools;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using Xunit.Abstractions;
using static DirectoryConnector.Operator.Tests.EndToEnd.OperatorEnvironment;

namespace DirectoryConnector.Operator.Tests.Shipping;

/// <summary>
/// A real Prometheus (Debian's) on loopback scrapes the running operator with the shipped rules: DirectorySyncFailing
/// turns pending, naming the DirectorySync and reason, when the Bitwarden stand-in starts failing; and every metric the
/// rules and the Grafana dashboard query exists in that scrape.
/// </summary>
public sealed partial class PrometheusScrapeTests(ITestOutputHelper output)
{
    [ToolFact("prometheus")]
    public async Task DirectorySyncFailingTurnsPendingWhenBitwardenFailsAndEveryQueriedMetricIsScraped()
    {
        await using var env = await StartAsync(output);
        await env.PutApiKeySecretAsync();
        await env.PutDirectoryAsync(new Dictionary<string, string> { [DirectoryKey] = DirectoryJson(users: 3, groups: 2) });
        var host = await env.StartOperatorAsync(o => o.LeaderElection = false, services => services.Configure<BitwardenClientOptions>(o => o.MaxAttempts = 1));
        await env.CreateDirectorySyncAsync("corp", env.Spec());
        await env.WaitForAsync("corp", s => IsReady(s, "Synced"), "first sync");

        await using var prometheus = await PrometheusServer.StartAsync(host.HttpAddress, output);
        await prometheus.WaitForScrapeAsync("directorysync_last_success_timestamp_seconds");
        // Before the first scrape `up` is absent, so OperatorDown may be pending for a moment; once scraped, all is quiet.
        await prometheus.WaitForNoAlertsAsync();

        env.Bitwarden.FailNext(10_000, 500);
        await env.PatchAsync("corp", new { metadata = new { annotations = new Dictionary<string, string> { [DirectorySync.SyncRequestedAtAnnotation] = "2026-11-30T12:00:00Z" } } });
        var failed = await env.WaitForAsync("corp", s => Ready(s) is { Status: "False" }, "Ready=False after Bitwarden fails");

        var alert = await prometheus.WaitForAlertAsync("DirectorySyncFailing");
        alert["state"]!.GetValue<string>().Should().Be("pending", "the alert waits 15 minutes before firing");
        alert["labels"]!["namespace"]!.GetValue<string>().Should().Be(Namespace);
        alert["labels"]!["name"]!.GetValue<string>().Should().Be("corp");
        alert["annotations"]!["description"]!.GetValue<string>().Should().Contain($"DirectorySync {Namespace}/corp has been Ready=False")
            .And.Contain($"reason {Ready(failed)!.Reason}.");

        // DirectorySyncStale divides by the exported interval: spec.interval in seconds, per DirectorySync.
        var interval = (await prometheus.QueryAsync($"directorysync_interval_seconds{{namespace=\"{Namespace}\",name=\"corp\"}}")).Should().ContainSingle().Subject;
        double.Parse((string)interval!["value"]![1]!, System.Globalization.CultureInfo.InvariantCulture)
            .Should().Be(DirectoryConnector.Engine.Configuration.DurationFormat.TryParse(env.Spec().Interval, out var specInterval) ? specInterval.TotalSeconds : double.NaN);

        // A DirectorySync that never synced is stale counted from its creation: metadata.creationTimestamp.
        var created = (await prometheus.QueryAsync($"directorysync_created_timestamp_seconds{{namespace=\"{Namespace}\",name=\"corp\"}}")).Should().ContainSingle().Subject;
        var creationTimestamp = DateTimeOffset.Parse((string)env.Kube.Get($"{DirectorySync.Group}/{DirectorySync.Version}", DirectorySync.Plural, Namespace, "corp")!["metadata"]!["creationTimestamp"]!, System.Globalization.CultureInfo.InvariantCulture);
        double.Parse((string)created!["value"]![1]!, System.Globalization.CultureInfo.InvariantCulture).Should().Be(creationTimestamp.ToUnixTimeSeconds());

        // Every dashboard query runs on this Prometheus as Grafana would send it; the gauges the issue's panels show have data.
        foreach (var panel in GrafanaDashboardTests.Panels())
        {
            foreach (var query in GrafanaDashboardTests.Queries(panel))
            {
                var result = await prometheus.QueryAsync(query.Replace("$namespace", ".*", StringComparison.Ordinal).Replace("$name", ".*", StringComparison.Ordinal).Replace("$__rate_interval", "1m", StringComparison.Ordinal));
                if (GaugePanels.Contains((string)panel["title"]!))
                {
                    result.Should().NotBeEmpty($"panel \"{panel["title"]}\" shows data: {query}");
                }
            }
        }

        var scraped = await prometheus.MetricNamesAsync();
        var queried = QueriedMetricNames().ToList();
        queried.Should().Contain(["directorysync_status_condition", "directorysync_interval_seconds", "directorysync_deletion_guard_pending_deletions", "workqueue_depth", "leader_election_master_status"]);
        queried.Where(name => !scraped.Contains(name)).Should().BeEmpty("every metric the rules and the dashboard query exists in a real scrape");
    }

    /// <summary>Panels of gauges the operator sets from its first sync on (rates need two scrapes of a change).</summary>
    private static readonly string[] GaugePanels = ["Users and groups sent", "Age of last successful sync", "Ready", "Work queue depth", "Leader"];

    /// <summary>Metric names in the rules' expressions and annotation queries and in the dashboard's panel queries.</summary>
    private static IEnumerable<string> QueriedMetricNames()
    {
        var chart = ExternalTool.ChartDirectory;
        var text = File.ReadAllText(Path.Combine(chart, "files", "prometheus-rules.yaml")) + File.ReadAllText(Path.Combine(chart, "files", "grafana-dashboard.json"));
        return MetricName().Matches(text).Select(m => m.Value).Distinct();
    }

    [GeneratedRegex(@"\b(directorysync|controller_runtime|workqueue|leader_election)_[a-z_]+\b")]
    private static partial Regex MetricName();

    /// <summary>Debian's prometheus on a free loopback port, scraping one target every second with the shipped rules.</summary>
    private sealed class PrometheusServer : IAsyncDisposable
    {
        private readonly Process process;
        private readonly string directory;
        private readonly HttpClient http;

        private PrometheusServer(Process process, string directory, Uri address)
        {
            this.process = process;
            this.directory = directory;
            http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
        }

        public static async Task<PrometheusServer> StartAsync(Uri target, ITestOutputHelper output)
        {
            var directory = Directory.CreateTempSubdirectory("prometheus-").FullName;
            var rules = Path.Combine(ExternalTool.ChartDirectory, "files", "prometheus-rules.yaml");
            await File.WriteAllTextAsync(Path.Combine(directory, "prometheus.yml"), $"""
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - {rules}
                scrape_configs:
                  - job_name: directory-connector-operator-metrics
                    honor_labels: true
                    static_configs:
                      - targets: ["{target.Authority}"]
                """);
            var port = FreePort();
            var start = new ProcessStartInfo(ExternalTool.Require("prometheus"))
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = directory,
            };
            foreach (var arg in new[] { $"--config.file={Path.Combine(directory, "prometheus.yml")}", $"--storage.tsdb.path={Path.Combine(directory, "data")}", $"--web.listen-address=127.0.0.1:{port}" })
            {
                start.ArgumentList.Add(arg);
            }

            var process = Process.Start(start)!;
            process.OutputDataReceived += (_, e) => { };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { try { output.WriteLine(e.Data); } catch (InvalidOperationException) { } } };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var server = new PrometheusServer(process, directory, new Uri($"http://127.0.0.1:{port}/"));
            await server.WaitAsync(async () => (await server.http.GetAsync("-/ready")).IsSuccessStatusCode, "Prometheus ready");
            return server;
        }

        public async Task WaitForScrapeAsync(string metric)
            => await WaitAsync(async () => (await GetDataAsync($"api/v1/query?query={metric}")).AsObject()["result"]!.AsArray().Count > 0, $"a scrape with {metric}");

        public async Task WaitForNoAlertsAsync()
            => await WaitAsync(async () => (await AlertsAsync()).Count == 0, "no alert while the operator is up and syncing");

        public async Task<JsonArray> AlertsAsync() => (await GetDataAsync("api/v1/alerts"))["alerts"]!.AsArray();

        public async Task<JsonObject> WaitForAlertAsync(string name)
        {
            JsonObject? found = null;
            await WaitAsync(async () => (found = (await AlertsAsync()).OfType<JsonObject>().FirstOrDefault(a => (string?)a["labels"]!["alertname"] == name)) is not null, $"alert {name}");
            return found!;
        }

        /// <summary>An instant query's result; fails the test when Prometheus refuses the query (a PromQL error).</summary>
        public async Task<JsonArray> QueryAsync(string promql)
        {
            using var response = await http.GetAsync($"api/v1/query?query={Uri.EscapeDataString(promql)}");
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            ((string?)body["status"]).Should().Be("success", $"Prometheus evaluates {promql}: {body["error"]}");
            return body["data"]!["result"]!.AsArray();
        }

        public async Task<HashSet<string>> MetricNamesAsync()
            => [.. (await GetDataAsync("api/v1/label/__name__/values")).AsArray().Select(n => (string)n!)];

        private async Task<JsonNode> GetDataAsync(string path)
        {
            var body = JsonNode.Parse(await http.GetStringAsync(path))!;
            return body["data"]!;
        }

        private async Task WaitAsync(Func<Task<bool>> condition, string what)
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                try
                {
                    if (await condition())
                    {
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }

                if (DateTime.UtcNow > deadline || process.HasExited)
                {
                    throw new TimeoutException($"{what} did not happen within 60 s (prometheus exited: {process.HasExited}).");
                }

                await Task.Delay(250);
            }
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        public async ValueTask DisposeAsync()
        {
            http.Dispose();
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
            Directory.Delete(directory, recursive: true);
        }
    }
}
