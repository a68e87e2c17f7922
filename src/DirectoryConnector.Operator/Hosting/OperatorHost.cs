using System.Net;
using DirectoryConnector.Engine;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.Operator.Reconciliation;
using DirectoryConnector.Operator.Runtime;
using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace DirectoryConnector.Operator.Hosting;

/// <summary>
/// The operator process, composed in one place: the Kubernetes client, the engine, the HTTP endpoints (/metrics,
/// /healthz, /readyz), leader election on a Lease, and the controller for each leadership term.
/// </summary>
public sealed partial class OperatorHost : IAsyncDisposable
{
    /// <summary>How long releasing the Lease may take on the way out (the whole stop must fit in a few seconds).</summary>
    private static readonly TimeSpan ReleaseTimeout = TimeSpan.FromSeconds(1);

    private readonly WebApplication app;
    private readonly CancellationTokenSource stopping;
    private readonly Task running;
    private readonly OperatorMetrics metrics;
    private volatile ControllerManager? manager;
    private volatile bool leader;

    private OperatorHost(WebApplication app, OperatorOptions options, CancellationToken cancellationToken)
    {
        this.app = app;
        Options = options;
        metrics = app.Services.GetRequiredService<OperatorMetrics>();
        Identity = $"{Environment.MachineName}_{Guid.NewGuid():N}"[..Math.Min(63, Environment.MachineName.Length + 33)];
        stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // SIGTERM (the kubelet stopping the pod) and Ctrl+C reach the host's lifetime: stop the controller with it.
        app.Lifetime.ApplicationStopping.Register(stopping.Cancel);
        HttpAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        running = Task.Run(() => RunControllerAsync(stopping.Token), CancellationToken.None);
    }

    public OperatorOptions Options { get; }

    /// <summary>This instance's identity in the Lease.</summary>
    public string Identity { get; }

    /// <summary>Where /metrics, /healthz and /readyz are served.</summary>
    public Uri HttpAddress { get; }

    /// <summary>True while this instance holds the Lease (always, without leader election).</summary>
    public bool IsLeader => leader;

    /// <summary>Ready: caches synced when leading; a standby is ready too, so a rollout is not blocked by the election.</summary>
    public bool IsReady => !leader || manager?.HasSynced == true;

    /// <summary>Completes when the host stops: normally on cancellation, with <see cref="LeadershipLostException"/> when the Lease was lost.</summary>
    public Task Completion => running;

    /// <summary>Runs the operator until <paramref name="cancellationToken"/> is cancelled; throws when leadership is lost.</summary>
    public static async Task RunAsync(OperatorOptions options, CancellationToken cancellationToken)
    {
        var host = await StartAsync(options, configureServices: null, cancellationToken).ConfigureAwait(false);
        await using (host.ConfigureAwait(false))
        {
            try
            {
                await host.Completion.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (host.stopping.IsCancellationRequested)
            {
                // Asked to stop: a clean exit.
            }
        }
    }

    /// <summary>Starts the operator; <paramref name="configureServices"/> may add logging providers or replace services (tests).</summary>
    public static async Task<OperatorHost> StartAsync(OperatorOptions options, Action<IServiceCollection>? configureServices, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        // Here, not at the executable's entry: KubernetesJson's static options cost the CLI's other verbs ~15 MiB and
        // 40 ms of start-up, and only the operator reads and writes its kinds through them.
        OperatorJson.Register();
        var kubernetes = KubernetesConfigResolver.Resolve(options.Kubeconfig, options.KubeContext, KubernetesEnvironment.Current);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(options.LogLevel);
        if (options.JsonLogs)
        {
            builder.Logging.AddJsonConsole(json => json.IncludeScopes = true);
        }
        else
        {
            builder.Logging.AddSimpleConsole();
        }

        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Parse(options.HttpAddress), options.HttpPort));
        var services = builder.Services;
        services.AddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<OperatorMetrics>();
        services.AddSingleton(kubernetes);
        KubernetesConfigResolution.AddKubeconfigHttpClients(services);
        services.AddSingleton<IKubernetes>(kubernetes.CreateClient);
        services.AddDirectoryConnectorEngine();
        services.AddSingleton<ISyncRunner, EngineSyncRunner>();
        configureServices?.Invoke(services);

        var app = builder.Build();
        OperatorHost? host = null;
        // RequestDelegates, not Delegate handlers: those bind parameters by reflection, which Native AOT cannot.
        app.MapGet("/healthz", context => Results.Text("ok").ExecuteAsync(context));
        app.MapGet("/readyz", context => (host?.IsReady == true ? Results.Text("ok") : Results.Text("caches not synced", statusCode: StatusCodes.Status503ServiceUnavailable))
            .ExecuteAsync(context));
        app.MapGet("/metrics", async context =>
        {
            var metrics = context.RequestServices.GetRequiredService<OperatorMetrics>();
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await metrics.WriteAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
        });
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        host = new OperatorHost(app, options, cancellationToken);
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await running.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or LeadershipLostException)
        {
            // Already reported through Completion.
        }

        await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
        stopping.Dispose();
    }

    private async Task RunControllerAsync(CancellationToken cancellationToken)
    {
        var services = app.Services;
        var client = services.GetRequiredService<IKubernetes>();
        var loggerFactory = services.GetRequiredService<ILoggerFactory>();
        var logger = loggerFactory.CreateLogger<OperatorHost>();
        var kubernetes = services.GetRequiredService<KubernetesConfigResolution>();
        var configurationSource = kubernetes.Describe();
        LogKubernetesConfiguration(logger, kubernetes.Configuration.Host, configurationSource);
        ControllerManager NewManager() => new(client, Options, services.GetRequiredService<ISyncRunner>(), services.GetRequiredService<SpecValidator>(), metrics, services.GetRequiredService<TimeProvider>(), loggerFactory, Identity);
        var leaderGauge = metrics.LeaderStatus.WithLabels(Options.LeaderElectionId);

        if (!Options.LeaderElection)
        {
            manager = NewManager();
            leader = true;
            leaderGauge.Set(1);
            await manager.RunAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        var leaseNamespace = Options.LeaderElectionNamespace ?? DefaultLeaseNamespace(Options, kubernetes);
        var lease = new LeaseLock(client, leaseNamespace, Options.LeaderElectionId, Identity);
        using var elector = new LeaderElector(new LeaderElectionConfig(new TransportTolerantLock(lease, logger))
        {
            LeaseDuration = Options.LeaseDuration,
            RenewDeadline = Options.RenewDeadline,
            RetryPeriod = Options.RetryPeriod,
        });
        using var term = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task work = Task.CompletedTask;
        elector.OnStartedLeading += () =>
        {
            LogStartedLeading(logger, Identity, leaseNamespace, Options.LeaderElectionId);
            manager = NewManager();
            leader = true;
            leaderGauge.Set(1);
            work = manager.RunAsync(term.Token);
        };
        elector.OnStoppedLeading += () =>
        {
            leader = false;
            leaderGauge.Set(0);
            term.Cancel();
        };
        elector.OnNewLeader += identity => LogNewLeader(logger, identity, Options.LeaderElectionId);

        LogWaitingForLease(logger, Identity, leaseNamespace, Options.LeaderElectionId);
        try
        {
            await elector.RunUntilLeadershipLostAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            leader = false;
            leaderGauge.Set(0);
            await term.CancelAsync().ConfigureAwait(false);
            await work.ConfigureAwait(false);
        }

        if (!cancellationToken.IsCancellationRequested)
        {
            LogLeadershipLost(logger, Identity, Options.LeaderElectionId);
            throw new LeadershipLostException($"Lost the lease {leaseNamespace}/{Options.LeaderElectionId}; stopped all work. Restart the process to rejoin the election.");
        }

        // Stopped while leading, every worker done: hand the Lease over now rather than make the standby wait it out.
        if (elector.IsLeader())
        {
            await ReleaseAsync(lease, logger, leaseNamespace).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// client-go's ReleaseOnCancel (k8s.io/client-go/tools/leaderelection, LeaderElector.release), which
    /// KubernetesClient 21 lacks: an empty holder, a one-second duration and fresh times. The update carries the
    /// resourceVersion of the read that showed this instance as the holder, so it fails (409) rather than clear a Lease
    /// someone else took in between.
    /// </summary>
    private async Task ReleaseAsync(LeaseLock lease, ILogger logger, string leaseNamespace)
    {
        using var timeout = new CancellationTokenSource(ReleaseTimeout);
        try
        {
            var current = await lease.GetAsync(timeout.Token).ConfigureAwait(false);
            if (current?.HolderIdentity != Identity)
            {
                return;
            }

            var now = DateTime.UtcNow;
            var released = await lease.UpdateAsync(new LeaderElectionRecord
            {
                HolderIdentity = "",
                LeaseDurationSeconds = 1,
                AcquireTime = now,
                RenewTime = now,
                LeaderTransitions = current.LeaderTransitions,
            }, timeout.Token).ConfigureAwait(false);
            if (released)
            {
                LogReleased(logger, Identity, leaseNamespace, Options.LeaderElectionId);
            }
            else
            {
                LogReleaseFailed(logger, null, Identity, leaseNamespace, Options.LeaderElectionId);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException or k8s.Autorest.HttpOperationException)
        {
            // The Lease then expires by itself after its duration.
            LogReleaseFailed(logger, ex, Identity, leaseNamespace, Options.LeaderElectionId);
        }
    }

    private static string DefaultLeaseNamespace(OperatorOptions options, KubernetesConfigResolution kubernetes)
    {
        // In cluster the configuration's namespace is the pod's (read from the service account).
        if (kubernetes.Source == KubernetesConfigSourceKind.InCluster && kubernetes.Configuration.Namespace is { Length: > 0 } podNamespace)
        {
            return podNamespace;
        }

        return options.WatchNamespaces.FirstOrDefault() ?? "default";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Kubernetes API {Host} (configuration from {Source})")]
    private static partial void LogKubernetesConfiguration(ILogger logger, string host, string source);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} waiting for lease {Namespace}/{Lease}")]
    private static partial void LogWaitingForLease(ILogger logger, string identity, string @namespace, string lease);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} became leader of {Namespace}/{Lease}")]
    private static partial void LogStartedLeading(ILogger logger, string identity, string @namespace, string lease);

    [LoggerMessage(Level = LogLevel.Information, Message = "Leader of {Lease} is {Identity}")]
    private static partial void LogNewLeader(ILogger logger, string identity, string lease);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} released lease {Namespace}/{Lease}")]
    private static partial void LogReleased(ILogger logger, string identity, string @namespace, string lease);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Identity} could not release lease {Namespace}/{Lease}; it expires after its duration")]
    private static partial void LogReleaseFailed(ILogger logger, Exception? exception, string identity, string @namespace, string lease);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Identity} lost lease {Lease}; stopping")]
    private static partial void LogLeadershipLost(ILogger logger, string identity, string lease);
}
