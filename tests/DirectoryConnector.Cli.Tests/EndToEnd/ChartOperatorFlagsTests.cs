using DirectoryConnector.Operator.Hosting;
using DirectoryConnector.TestSupport.Kubernetes;
using DirectoryConnector.TestSupport.Tools;
using FluentAssertions;
using Microsoft.Extensions.Logging;
using Xunit;

namespace DirectoryConnector.Cli.Tests.EndToEnd;

/// <summary>
/// Every flag of the `operator` verb is a value of charts/directory-connector-operator (issue 12): the arguments the
/// real helm renders are parsed by the real command line, so a flag the chart misspells, a flag added to the verb
/// without a value, or a chart default that drifts from the operator's own fails here.
/// </summary>
public sealed class ChartOperatorFlagsTests
{
    /// <summary>Flags for running out of cluster (`directory-connector operator` on a laptop): a pod has no kubeconfig.</summary>
    private static readonly string[] OutOfClusterOnly = ["--kubeconfig", "--context"];

    [ToolFact("helm")]
    public async Task EveryOperatorFlagIsAChartValue()
    {
        var args = await RenderedArgsAsync("-f", "ci/all-features-values.yaml");
        var verb = CliApplication.CreateRootCommand().Subcommands.Single(c => c.Name == "operator");
        var flags = verb.Options.Select(o => o.Name).Where(n => n.StartsWith("--", StringComparison.Ordinal)).Append("--log-level").Except(OutOfClusterOnly);

        var rendered = args.Select(a => a.Split('=')[0]).ToHashSet(StringComparer.Ordinal);
        flags.Where(flag => !rendered.Contains(flag)).Should().BeEmpty("every operator flag is set from a value (ci/all-features-values.yaml sets each one)");

        var (exit, options, error) = await OperatorFlagsTests.RunAsync(args);
        exit.Should().Be(0, error);
        options.Should().BeEquivalentTo(new OperatorOptions
        {
            Concurrency = 4,
            WatchNamespaces = ["bitwarden", "bitwarden-staging"],
            LabelSelector = "shard=a",
            LeaderElection = true,
            LeaderElectionId = "directory-connector-shard-a",
            LeaderElectionNamespace = "operators",
            LeaseDuration = TimeSpan.FromSeconds(30),
            RenewDeadline = TimeSpan.FromSeconds(20),
            RetryPeriod = TimeSpan.FromSeconds(4),
            HttpPort = 9090,
            HttpAddress = "::",
            LogLevel = LogLevel.Debug,
            JsonLogs = false,
        }, "each value reaches the operator's options through its flag");
    }

    [ToolFact("helm")]
    public async Task TheChartsDefaultsAreTheOperatorsDefaults()
    {
        var args = await RenderedArgsAsync();

        var (exit, options, error) = await OperatorFlagsTests.RunAsync(args);

        exit.Should().Be(0, error);
        options.Should().BeEquivalentTo(new OperatorOptions(), o => o
            .Excluding(x => x.LeaderElectionId)
            .Excluding(x => x.LeaderElectionNamespace)
            .Excluding(x => x.Concurrency), "the chart writes the operator's own defaults for what it does not decide itself");
        (options!.LeaderElectionId, options.LeaderElectionNamespace).Should().Be(("dco-directory-connector-operator", "directory-connector"), "the Lease is the release's, in its namespace");
        options.Concurrency.Should().Be(2, "values.yaml: concurrency 2 (a chart default, documented there)");
    }

    [ToolTheory("helm")]
    [InlineData("15s", "10s", "2s")]
    [InlineData("10s", "10s", "2s")]
    [InlineData("5s", "10s", "2s")]
    [InlineData("15s", "2s", "2s")]
    [InlineData("15s", "10s", "0s")]
    [InlineData("1m", "59.5s", "500ms")]
    [InlineData("1m", "1m0s", "2s")]
    [InlineData("10000000050ns", "10s", "2s")]
    [InlineData("10.0000001s", "10s", "2s")]
    [InlineData("1h", "59m59.9s", "1m")]
    public async Task TheChartRefusesExactlyTheLeaseTimingsTheOperatorRefuses(string leaseDuration, string renewDeadline, string retryPeriod)
    {
        string[] values =
        [
            "template", "dco", ".", "--set", $"leaderElection.leaseDuration={leaseDuration}",
            "--set", $"leaderElection.renewDeadline={renewDeadline}", "--set", $"leaderElection.retryPeriod={retryPeriod}",
        ];
        var chart = await ExternalTool.RunAsync(ExternalTool.Require("helm"), values, ExternalTool.ChartDirectory);

        var (exit, _, error) = await OperatorFlagsTests.RunAsync(
            ["--leader-elect-lease-duration", leaseDuration, "--leader-elect-renew-deadline", renewDeadline, "--leader-elect-retry-period", retryPeriod]);

        (chart.ExitCode == 0).Should().Be(exit == 0, $"helm and the operator agree on {leaseDuration}/{renewDeadline}/{retryPeriod}: helm {chart}, operator exit {exit} {error}");
        if (exit != 0)
        {
            exit.Should().Be(2);
            chart.Error.Should().Contain("leader election needs leaseDuration > renewDeadline > retryPeriod > 0", "the operator's wording: " + error)
                .And.Contain($"got leaderElection.leaseDuration {leaseDuration}, leaderElection.renewDeadline {renewDeadline}, leaderElection.retryPeriod {retryPeriod}: set leaderElection.");
        }
    }

    [Fact]
    public async Task HelpShowsDurationDefaultsAsUsersWriteThem()
    {
        var output = new StringWriter();

        var exit = await CliApplication.RunAsync(CliApplication.CreateRootCommand(), ["operator", "--help"], output, new StringWriter());

        exit.Should().Be(0);
        var help = output.ToString();
        Line(help, "--leader-elect-lease-duration").Should().Contain("[default: 15s]");
        Line(help, "--leader-elect-renew-deadline").Should().Contain("[default: 10s]");
        Line(help, "--leader-elect-retry-period").Should().Contain("[default: 2s]");
        help.Should().NotContain("00:00:", "a TimeSpan's own format is not one the flags accept");
    }

    // A help row may wrap: the option's row and its continuation lines up to the next option, spaces collapsed.
    private static string Line(string help, string flag)
    {
        var start = help.IndexOf("  " + flag, StringComparison.Ordinal);
        start.Should().BeGreaterThanOrEqualTo(0, $"--help lists {flag}");
        var next = help.IndexOf("\n  -", start + 1, StringComparison.Ordinal);
        return string.Join(' ', help[start..(next < 0 ? help.Length : next)].Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>The operator's arguments in the Deployment `helm template` renders (release dco in namespace
    /// directory-connector unless <paramref name="values"/> say otherwise), without the leading verb.</summary>
    internal static async Task<string[]> RenderedArgsAsync(params string[] values)
    {
        var result = await ExternalTool.RunAsync(ExternalTool.Require("helm"), ["template", "dco", ".", "--namespace", "directory-connector", .. values], ExternalTool.ChartDirectory);
        result.ExitCode.Should().Be(0, result.ToString());
        var deployment = YamlJson.ReadDocuments(result.Output).Single(o => (string?)o["kind"] == "Deployment");
        var args = deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["args"]!.AsArray().Select(a => (string)a!).ToList();
        args.Should().StartWith("operator", "the image's entrypoint is the executable; the verb comes first");
        return [.. args.Skip(1)];
    }
}
