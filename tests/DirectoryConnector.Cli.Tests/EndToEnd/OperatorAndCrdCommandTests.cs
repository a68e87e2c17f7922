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
        var committed = await File.ReadAllTextAsync(Path.Combine(CliRunner.RepositoryRoot(), "config", "crd", "directoryconnector.dev_directorysyncs.yaml"));
        result.Output.Should().Be(committed, "config/crd is regenerated with `directory-connector crd`");
        result.Output.Should().Contain("name: directorysyncs.directoryconnector.dev").And.Contain("- dsync");
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
