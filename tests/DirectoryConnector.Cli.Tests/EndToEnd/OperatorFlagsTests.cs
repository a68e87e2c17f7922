using DirectoryConnector.Operator.Hosting;
using FluentAssertions;
using Microsoft.Extensions.Logging;
using Xunit;

namespace DirectoryConnector.Cli.Tests.EndToEnd;

/// <summary>Every flag of the `operator` verb reaches the options the operator runs with (each flag on its own).</summary>
public sealed class OperatorFlagsTests
{
    private static readonly string[] TwoNamespaces = ["team-a", "team-b"];

    public static TheoryData<string[], string, object> Flags => new()
    {
        { ["--concurrency", "7"], nameof(OperatorOptions.Concurrency), 7 },
        { ["--watch-namespace", "team-a", "--watch-namespace", "team-b"], nameof(OperatorOptions.WatchNamespaces), TwoNamespaces },
        { ["--selector", "shard=eu,tier!=test"], nameof(OperatorOptions.LabelSelector), "shard=eu,tier!=test" },
        { ["--leader-elect=false"], nameof(OperatorOptions.LeaderElection), false },
        { ["--leader-election-id", "shard-eu"], nameof(OperatorOptions.LeaderElectionId), "shard-eu" },
        { ["--leader-election-namespace", "operators"], nameof(OperatorOptions.LeaderElectionNamespace), "operators" },
        { ["--leader-elect-lease-duration", "1m"], nameof(OperatorOptions.LeaseDuration), TimeSpan.FromMinutes(1) },
        { ["--leader-elect-renew-deadline", "12s"], nameof(OperatorOptions.RenewDeadline), TimeSpan.FromSeconds(12) },
        { ["--leader-elect-retry-period", "500ms"], nameof(OperatorOptions.RetryPeriod), TimeSpan.FromMilliseconds(500) },
        { ["--http-port", "9443"], nameof(OperatorOptions.HttpPort), 9443 },
        { ["--http-address", "127.0.0.1"], nameof(OperatorOptions.HttpAddress), "127.0.0.1" },
        { ["--kubeconfig", "/etc/kube/config"], nameof(OperatorOptions.Kubeconfig), "/etc/kube/config" },
        { ["--context", "staging"], nameof(OperatorOptions.KubeContext), "staging" },
        { ["--text-logs"], nameof(OperatorOptions.JsonLogs), false },
        { ["--log-level", "Debug"], nameof(OperatorOptions.LogLevel), LogLevel.Debug },
    };

    [Theory]
    [MemberData(nameof(Flags))]
    public async Task EachFlagReachesTheOptions(string[] flag, string property, object expected)
    {
        var (exit, options, error) = await RunAsync(flag);

        exit.Should().Be(0, error);
        var value = typeof(OperatorOptions).GetProperty(property)!.GetValue(options);
        value.Should().BeEquivalentTo(expected, $"{string.Join(' ', flag)} sets {property}");
        value.Should().NotBeEquivalentTo(typeof(OperatorOptions).GetProperty(property)!.GetValue(Defaults()), "the flag's value differs from the default, so the test shows the flag took effect");
    }

    [Fact]
    public void EveryFlagOfTheVerbIsCoveredAbove()
    {
        var verb = CliApplication.CreateRootCommand().Subcommands.Single(c => c.Name == "operator");
        var covered = Flags.Select(row => ((string[])row[0])[0].Split('=')[0]).ToHashSet(StringComparer.Ordinal);

        verb.Options.Select(o => o.Name).Where(n => n.StartsWith("--", StringComparison.Ordinal))
            .Should().BeSubsetOf(covered).And.HaveCount(covered.Count - 1, "--log-level is the root's recursive flag");
    }

    [Fact]
    public async Task WithoutFlagsTheOperatorRunsWithTheDocumentedDefaults()
    {
        var (exit, options, error) = await RunAsync([]);

        exit.Should().Be(0, error);
        options.Should().BeEquivalentTo(Defaults(), o => o.Excluding(x => x.LogLevel));
        options!.LogLevel.Should().Be(LogLevel.Information, "a long-running operator logs at Information unless --log-level says otherwise");
    }

    [Theory]
    [InlineData("--leader-elect-lease-duration", "15")]
    [InlineData("--leader-elect-renew-deadline", "-1s")]
    [InlineData("--leader-elect-retry-period", "0s")]
    public async Task ABadDurationIsBadInputNamingTheFlag(string flag, string value)
    {
        var (exit, options, error) = await RunAsync([flag, value]);

        exit.Should().Be(2);
        options.Should().BeNull("the operator never starts on bad flags");
        error.Should().Contain(flag).And.Contain("duration");
    }

    [Fact]
    public async Task TimingsThatCannotElectAreBadInputBeforeStarting()
    {
        var (exit, options, error) = await RunAsync(["--leader-elect-lease-duration", "5s", "--leader-elect-renew-deadline", "10s"]);

        exit.Should().Be(2);
        options.Should().BeNull();
        error.Should().Contain("leaseDuration > renewDeadline > retryPeriod")
            .And.Contain("--leader-elect-lease-duration 5s, --leader-elect-renew-deadline 10s, --leader-elect-retry-period 2s", "the flags with their durations as written");
    }

    private static OperatorOptions Defaults() => new();

    /// <summary>Runs `operator` with <paramref name="flags"/> in process; the options it would start with (null when it refused).</summary>
    internal static async Task<(int Exit, OperatorOptions? Options, string Error)> RunAsync(string[] flags)
    {
        OperatorOptions? captured = null;
        var root = CliApplication.CreateRootCommand(runOperator: (options, _) =>
        {
            captured = options;
            return Task.CompletedTask;
        });
        var error = new StringWriter();
        var exit = await CliApplication.RunAsync(root, ["operator", .. flags], new StringWriter(), error);
        return (exit, captured, error.ToString());
    }
}
