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

    [Theory]
    [InlineData("--concurrency", "0", "error: --concurrency must be at least 1 (got 0).")]
    [InlineData("--http-port", "70000", "error: --http-port 70000 is not a port number: use 1 to 65535 (0 picks a free port).")]
    [InlineData("--http-address", "metrics.local", "error: --http-address \"metrics.local\" is not an IP address: use 0.0.0.0")]
    public async Task OperatorRejectsImpossibleOptionsBeforeStartingNamingTheFlag(string flag, string value, string message)
    {
        var result = await CliRunner.RunAsync("operator", flag, value);

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().StartWith(message).And.NotContain("(Parameter", "the message names the flag, not a .NET property").And.NotContain("Unhandled exception");
    }

    [Theory]
    [InlineData(new[] { "operator", "--concurrency", "two" }, "error: --concurrency must be a whole number (got \"two\").")]
    [InlineData(new[] { "operator", "--http-port", "8080x" }, "error: --http-port must be a whole number (got \"8080x\").")]
    [InlineData(new[] { "--log-level", "Verbose", "crd" }, "error: --log-level must be one of Trace, Debug, Information, Warning, Error, Critical or None (got \"Verbose\").")]
    [InlineData(new[] { "test", "-f", "x.yaml", "--log-level", "Verbose" }, "error: --log-level must be one of Trace, Debug, Information, Warning, Error, Critical or None (got \"Verbose\").")]
    public async Task AFlagValueOfTheWrongTypeNamesTheFlagNotADotNetType(string[] args, string message)
    {
        var root = CliApplication.CreateRootCommand(runOperator: (_, _) => Task.CompletedTask);
        var error = new StringWriter();

        var exit = await CliApplication.RunAsync(root, args, new StringWriter(), error);

        exit.Should().Be(2, error.ToString());
        error.ToString().Should().StartWith(message).And.NotContain("System.").And.NotContain("Microsoft.");
    }

    [Theory]
    [InlineData("tset", "error: 'tset' is not a command: did you mean test? The commands are test, sync, operator, crd, convert-bwdc.")]
    [InlineData("Sync", "error: 'Sync' is not a command: did you mean sync? The commands are test, sync, operator, crd, convert-bwdc.")]
    [InlineData("deploy", "error: 'deploy' is not a command: The commands are test, sync, operator, crd, convert-bwdc.")]
    public async Task AMistypedCommandIsOneLineNamingTheCommands(string verb, string message)
    {
        var result = await CliRunner.RunAsync(verb, "-f", "corp.yaml");

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().Be(message + "\nRun with --help for usage.\n", "not one line per argument after it");
    }

    [Fact]
    public async Task LogLevelsAreReadWhateverTheirCase()
    {
        var (exit, options, error) = await OperatorFlagsTests.RunAsync(["--log-level", "debug"]);

        exit.Should().Be(0, error);
        options!.LogLevel.Should().Be(Microsoft.Extensions.Logging.LogLevel.Debug);
    }

    [Fact]
    public async Task AMetricsPortInUseIsNamedWithTheFlagThatMovesIt()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        var kubeconfig = Path.Combine(Path.GetTempPath(), $"dc-port-in-use-{Guid.NewGuid():N}.yaml");
        // The port is bound before the cluster is contacted, so this API server is never reached.
        await File.WriteAllTextAsync(kubeconfig, """
            apiVersion: v1
            kind: Config
            clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
            users: [{name: u, user: {token: t}}]
            contexts: [{name: x, context: {cluster: c, user: u}}]
            current-context: x
            """);
        try
        {
            var result = await CliRunner.RunAsync("operator", "--kubeconfig", kubeconfig, "--http-address", "127.0.0.1", "--http-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--leader-elect", "false", "--text-logs");

            result.ExitCode.Should().Be(2, result.ToString());
            result.Error.Should().Contain($"error: --http-port {port}: 127.0.0.1 port {port} is already in use by another process").And.NotContain("Unhandled exception");
        }
        finally
        {
            File.Delete(kubeconfig);
        }
    }
}
