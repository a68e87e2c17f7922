using System.CommandLine;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Operator.Hosting;
using Microsoft.Extensions.Logging;

namespace DirectoryConnector.Cli.Commands;

/// <summary><c>operator</c>: runs the Kubernetes operator (in cluster with its service account, or with a kubeconfig).</summary>
internal static class OperatorCommand
{
    public static Command Create(CliContext context)
    {
        var defaults = new OperatorOptions();
        var concurrency = WholeNumberOption("--concurrency", "DirectorySyncs reconciled at once; one DirectorySync is never reconciled twice at once.", defaults.Concurrency);
        var watchNamespaces = new Option<string[]>("--watch-namespace") { Description = "A namespace to watch (repeatable); all namespaces when omitted." };
        var selector = new Option<string?>("--selector") { Description = "Label selector of the DirectorySyncs this instance handles, to shard across deployments." };
        var leaderElect = new Option<bool>("--leader-elect") { Description = "Elect one active instance through a coordination.k8s.io Lease.", DefaultValueFactory = _ => defaults.LeaderElection };
        var leaderElectionId = new Option<string>("--leader-election-id") { Description = "Name of the Lease; give each shard its own.", DefaultValueFactory = _ => defaults.LeaderElectionId };
        var leaderElectionNamespace = new Option<string?>("--leader-election-namespace") { Description = "Namespace of the Lease; the pod's namespace in cluster." };
        // kube-controller-manager's names for the three leader-election timings.
        var leaseDuration = DurationOption("--leader-elect-lease-duration", "How long a standby waits after the last renewal before taking the Lease.", defaults.LeaseDuration);
        var renewDeadline = DurationOption("--leader-elect-renew-deadline", "How long the leader keeps trying to renew before it stops all work and exits.", defaults.RenewDeadline);
        var retryPeriod = DurationOption("--leader-elect-retry-period", "How often the Lease is renewed or tried.", defaults.RetryPeriod);
        var httpPort = WholeNumberOption("--http-port", "Port serving /metrics, /healthz and /readyz.", defaults.HttpPort);
        var httpAddress = new Option<string>("--http-address") { Description = "Address the HTTP port binds to.", DefaultValueFactory = _ => defaults.HttpAddress };
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "Path of a kubeconfig for out-of-cluster development." };
        var kubeContext = new Option<string?>("--context") { Description = "Context of the kubeconfig to use." };
        var textLogs = new Option<bool>("--text-logs") { Description = "Plain console logs instead of JSON lines." };

        var command = new Command("operator", "Runs the operator: reconciles DirectorySyncs in the cluster.")
        {
            concurrency, watchNamespaces, selector, leaderElect, leaderElectionId, leaderElectionNamespace,
            leaseDuration, renewDeadline, retryPeriod, httpPort, httpAddress, kubeconfig, kubeContext, textLogs,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var options = new OperatorOptions
            {
                Concurrency = parseResult.GetValue(concurrency),
                WatchNamespaces = parseResult.GetValue(watchNamespaces) ?? [],
                LabelSelector = parseResult.GetValue(selector),
                LeaderElection = parseResult.GetValue(leaderElect),
                LeaderElectionId = parseResult.GetValue(leaderElectionId)!,
                LeaderElectionNamespace = parseResult.GetValue(leaderElectionNamespace),
                LeaseDuration = DurationOrDefault(parseResult, leaseDuration, defaults.LeaseDuration),
                RenewDeadline = DurationOrDefault(parseResult, renewDeadline, defaults.RenewDeadline),
                RetryPeriod = DurationOrDefault(parseResult, retryPeriod, defaults.RetryPeriod),
                HttpPort = parseResult.GetValue(httpPort),
                HttpAddress = parseResult.GetValue(httpAddress)!,
                Kubeconfig = parseResult.GetValue(kubeconfig),
                KubeContext = parseResult.GetValue(kubeContext),
                JsonLogs = !parseResult.GetValue(textLogs),
                // The CLI verbs default to warnings; a long-running operator to Information unless --log-level says otherwise.
                LogLevel = parseResult.GetResult(context.LogLevel) is { Implicit: false } ? parseResult.GetValue(context.LogLevel) : LogLevel.Information,
            };
            try
            {
                options.Validate();
            }
            catch (ArgumentException e)
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }

            try
            {
                await context.RunOperator(options, cancellationToken).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return ExitCodes.Success;
            }
            catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
            {
                // Another process (often a second operator started by hand) holds the port: say which flag moves it.
                await parseResult.InvocationConfiguration.Error.WriteLineAsync(
                    $"error: --http-port {options.HttpPort}: {options.HttpAddress} port {options.HttpPort} is already in use by another process: stop it, or choose another port with --http-port (0 picks a free one)").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }
            catch (k8s.Exceptions.KubeConfigException e)
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync($"error: cannot configure the Kubernetes client: {e.Message}").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }
            catch (LeadershipLostException e)
            {
                // Exiting lets Kubernetes restart the pod as a fresh standby.
                await parseResult.InvocationConfiguration.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                return ExitCodes.SyncFailed;
            }
        });
        return command;
    }

    /// <summary>
    /// A Go-style duration flag (15s, 1m30s, 500ms), as Kubernetes components take them. The default is not the
    /// option's own: --help would print it as a TimeSpan (00:00:15), a form the flag does not accept; the description
    /// shows it as written and <see cref="DurationOrDefault"/> applies it.
    /// </summary>
    private static Option<TimeSpan> DurationOption(string name, string description, TimeSpan defaultValue) => new(name)
    {
        Description = $"{description} A duration such as 15s or 1m30s. [default: {DurationFormat.Format(defaultValue)}]",
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (DurationFormat.TryParse(text, out var duration) && duration > TimeSpan.Zero)
            {
                return duration;
            }

            result.AddError($"{name} must be a positive duration such as 15s, 1m30s or 500ms (got \"{text}\").");
            return default;
        },
    };

    /// <summary>An integer flag whose parse error names the flag and the value, not the .NET type (System.Int32).</summary>
    private static Option<int> WholeNumberOption(string name, string description, int defaultValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }

            result.AddError($"{name} must be a whole number (got \"{text}\").");
            return default;
        },
    };

    private static TimeSpan DurationOrDefault(ParseResult parseResult, Option<TimeSpan> option, TimeSpan defaultValue) =>
        parseResult.GetResult(option) is null ? defaultValue : parseResult.GetValue(option);
}
