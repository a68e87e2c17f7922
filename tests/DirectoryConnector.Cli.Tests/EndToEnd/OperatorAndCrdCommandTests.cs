using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Cli.Tests.EndToEnd;

public sealed class OperatorAndCrdCommandTests
{
    [Fact]
    public async Task CrdPrintsTheCommittedCustomResourceDefinition()
    {
        var result = await CliRunner.RunAsync("crd");

        result.ExitCode.Should().Be(0, result.ToString());
        var committed = await File.ReadAllTextAsync(DirectoryConnector.TestSupport.Repository.DirectorySyncCrd);
        result.Output.Should().Be(committed, "config/crd is regenerated with `directory-connector crd`");
        result.Output.Should().Contain("name: directorysyncs.directoryconnector.dev").And.Contain("- dsync");
    }

    [Fact]
    public async Task VersionPrintsTheProjectVersionTheChartAndKustomizeInstall()
    {
        using var process = CliProcess.Start(CliProcess.BuiltExecutable, ["--version"], new Dictionary<string, string?>());

        (await process.WaitForExitAsync(TimeSpan.FromSeconds(60))).Should().Be(0, process.ToString());
        var version = process.Output.Trim().Split('+')[0];
        version.Should().MatchRegex(@"^\d+\.\d+\.\d+$");
        var root = CliRunner.RepositoryRoot();
        var chart = await File.ReadAllTextAsync(Path.Combine(root, "charts", "directory-connector-operator", "Chart.yaml"));
        chart.Should().Contain($"\nversion: {version}\n").And.Contain($"\nappVersion: \"{version}\"\n");
        (await File.ReadAllTextAsync(Path.Combine(root, "config", "default", "kustomization.yaml"))).Should().Contain($"newTag: {version}");
    }

    [Fact]
    public async Task CrdHelmPrintsTheChartsTemplate()
    {
        var result = await CliRunner.RunAsync("crd", "--helm");

        result.ExitCode.Should().Be(0, result.ToString());
        var committed = await File.ReadAllTextAsync(Path.Combine(CliRunner.RepositoryRoot(), "charts", "directory-connector-operator", "templates", "crds", "directorysyncs.yaml"));
        result.Output.Should().Be(committed, "the chart's CRD is regenerated with `directory-connector crd --helm`");
    }

    [Fact]
    public async Task OperatorWithAMissingKubeconfigIsBadInputNamingTheFile()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-such-kubeconfig-{Guid.NewGuid():N}");

        var result = await CliRunner.RunAsync("operator", "--kubeconfig", missing, "--http-address", "127.0.0.1", "--http-port", "0", "--leader-elect", "false", "--text-logs");

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().Contain("cannot configure the Kubernetes client").And.Contain(missing);
    }

    [Fact]
    public async Task OperatorRejectsImpossibleOptionsBeforeStarting()
    {
        var result = await CliRunner.RunAsync("operator", "--concurrency", "0");

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().Contain("concurrency must be at least 1");
    }
}
