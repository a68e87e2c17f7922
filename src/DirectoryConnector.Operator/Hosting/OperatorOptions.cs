using System.Net;
using DirectoryConnector.Engine.Configuration;
using Microsoft.Extensions.Logging;

namespace DirectoryConnector.Operator.Hosting;

/// <summary>How the operator runs (bound from the CLI's `operator` verb or configuration section "Operator").</summary>
public sealed class OperatorOptions
{
    public const string SectionName = "Operator";

    /// <summary>DirectorySyncs reconciled at once (--concurrency). One DirectorySync is never reconciled twice at once.</summary>
    public int Concurrency { get; set; } = 2;

    /// <summary>Namespaces to watch (--watch-namespace, repeatable); empty watches all namespaces.</summary>
    public IList<string> WatchNamespaces { get; set; } = [];

    /// <summary>Label selector of the DirectorySyncs this instance handles (--selector), to shard across deployments.</summary>
    public string? LabelSelector { get; set; }

    /// <summary>Elects one active instance through a coordination.k8s.io Lease.</summary>
    public bool LeaderElection { get; set; } = true;

    /// <summary>Name of the Lease (--leader-election-id); give each shard its own.</summary>
    public string LeaderElectionId { get; set; } = "directory-connector-operator";

    /// <summary>Namespace of the Lease; defaults to the pod's namespace in cluster, "default" outside.</summary>
    public string? LeaderElectionNamespace { get; set; }

    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    public TimeSpan RenewDeadline { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Port serving /metrics, /healthz and /readyz (0 picks a free port).</summary>
    public int HttpPort { get; set; } = 8080;

    /// <summary>Address the HTTP port binds to.</summary>
    public string HttpAddress { get; set; } = "0.0.0.0";

    /// <summary>Path of a kubeconfig (--kubeconfig); without it $KUBECONFIG, the in-cluster service account, ~/.kube/config (<see cref="KubernetesConfigResolver"/>).</summary>
    public string? Kubeconfig { get; set; }

    /// <summary>Context of the kubeconfig to use; its current context otherwise.</summary>
    public string? KubeContext { get; set; }

    /// <summary>First retry delay after a failed sync; doubles per failure up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Server-side timeout of each watch request; the informer reconnects from where it stopped.</summary>
    public int WatchTimeoutSeconds { get; set; } = 300;

    /// <summary>
    /// Longest window over which the syncs due when the operator starts are spread (see StartupJitter): at most one
    /// second per DirectorySync and never more than its interval. Zero starts them all at once.
    /// </summary>
    public TimeSpan StartupSpread { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Minimum level of the logs (--log-level).</summary>
    public LogLevel LogLevel { get; set; } = LogLevel.Information;

    /// <summary>Writes logs as JSON lines (structured); plain console text otherwise.</summary>
    public bool JsonLogs { get; set; } = true;

    /// <summary>Throws a message naming the option when the options cannot work. The message is what the `operator`
    /// verb prints, so it names the flag and carries no parameter name of the .NET property.</summary>
    public void Validate()
    {
        if (Concurrency < 1)
        {
            throw new ArgumentException($"--concurrency must be at least 1 (got {Concurrency}).");
        }

        if (HttpPort is < 0 or > 65535)
        {
            throw new ArgumentException($"--http-port {HttpPort} is not a port number: use 1 to 65535 (0 picks a free port).");
        }

        // Kestrel takes an address, not a host name; checked here so a typo is bad input, not a crash at start-up.
        if (!IPAddress.TryParse(HttpAddress, out _))
        {
            throw new ArgumentException($"--http-address \"{HttpAddress}\" is not an IP address: use 0.0.0.0 (every IPv4 interface), :: (IPv6) or an address of this host such as 127.0.0.1.");
        }

        if (LeaderElection && (RetryPeriod <= TimeSpan.Zero || RenewDeadline <= RetryPeriod || LeaseDuration <= RenewDeadline))
        {
            // client-go's NewLeaderElector rule without its 1.2 jitter factor on retryPeriod: KubernetesClient's elector
            // renews without jitter. The chart refuses the same timings (dco.validateLeaderElection); durations as written.
            throw new ArgumentException(
                $"leader election needs leaseDuration > renewDeadline > retryPeriod > 0; got --leader-elect-lease-duration {Duration(LeaseDuration)}, " +
                $"--leader-elect-renew-deadline {Duration(RenewDeadline)}, --leader-elect-retry-period {Duration(RetryPeriod)}.");
        }

        if (string.IsNullOrWhiteSpace(LeaderElectionId))
        {
            throw new ArgumentException("--leader-election-id must not be empty.");
        }

        if (StartupSpread < TimeSpan.Zero)
        {
            throw new ArgumentException($"startup spread must not be negative (got {StartupSpread}).");
        }

        if (RetryBaseDelay <= TimeSpan.Zero || RetryMaxDelay < RetryBaseDelay)
        {
            throw new ArgumentException("retry delays must be positive with retryMaxDelay >= retryBaseDelay.");
        }
    }

    // Negative durations (a test's misconfiguration) have no Go-style form.
    private static string Duration(TimeSpan value) => value < TimeSpan.Zero ? value.ToString() : DurationFormat.Format(value);
}
