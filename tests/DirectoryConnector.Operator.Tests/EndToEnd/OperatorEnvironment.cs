using DirectoryConnector.TestSupport;
using System.Net;
using System.Text;
using System.Text.Json;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Operator.Hosting;
using DirectoryConnector.Operator.Reconciliation;
using DirectoryConnector.Operator.Resources;
using DirectoryConnector.TestSupport.Bitwarden;
using DirectoryConnector.TestSupport.Kubernetes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using DirectoryConnector.Engine.Sources.File;

namespace DirectoryConnector.Operator.Tests.EndToEnd;

/// <summary>
/// The operator host against the loopback Kubernetes API emulator (with the CRD from config/crd/) and the Bitwarden
/// stand-in, reading a JSON directory export from a ConfigMap. Everything runs on 127.0.0.1.
/// </summary>
public sealed class OperatorEnvironment : IAsyncDisposable
{
    public const string Namespace = "bitwarden";
    public const string ApiKeySecret = "bw-api-key";
    public const string DirectoryConfigMap = "directory";
    public const string DirectoryKey = "directory.json";
    public static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);

    private readonly string workDirectory;
    private readonly List<OperatorHost> hosts = [];

    private OperatorEnvironment(KubeApiEmulator kube, BitwardenStandIn bitwarden, string workDirectory, ITestOutputHelper? output)
    {
        Kube = kube;
        Bitwarden = bitwarden;
        this.workDirectory = workDirectory;
        Output = output;
        KubeconfigPath = Path.Combine(workDirectory, "kubeconfig");
        File.WriteAllText(KubeconfigPath, kube.KubeconfigYaml(Namespace));
        Client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeconfigPath));
    }

    public KubeApiEmulator Kube { get; }

    public BitwardenStandIn Bitwarden { get; }

    public IKubernetes Client { get; }

    public string KubeconfigPath { get; }

    public ITestOutputHelper? Output { get; }

    /// <summary>Starts the emulator with the committed CRD, or with <paramref name="crdPath"/> (e.g. an older CRD).</summary>
    public static async Task<OperatorEnvironment> StartAsync(ITestOutputHelper? output = null, string? crdPath = null, Action<KubeApiEmulatorOptions>? configureKube = null)
    {
        var crd = crdPath ?? Repository.DirectorySyncCrd;
        var kubeOptions = new KubeApiEmulatorOptions { BookmarkInterval = TimeSpan.FromMilliseconds(500) };
        kubeOptions.CrdPaths.Add(crd);
        configureKube?.Invoke(kubeOptions);
        var kube = await KubeApiEmulator.StartAsync(kubeOptions);
        var bitwarden = await BitwardenStandIn.StartAsync();
        var work = Directory.CreateTempSubdirectory("operator-e2e-").FullName;
        var environment = new OperatorEnvironment(kube, bitwarden, work, output);
        await environment.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Namespace } });
        await environment.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "operators" } });
        return environment;
    }

    public OperatorOptions Options(Action<OperatorOptions>? configure = null)
    {
        var options = new OperatorOptions
        {
            Kubeconfig = KubeconfigPath,
            HttpAddress = "127.0.0.1",
            HttpPort = 0,
            Concurrency = 2,
            LeaderElectionNamespace = "operators",
            LeaseDuration = TimeSpan.FromSeconds(2),
            RenewDeadline = TimeSpan.FromSeconds(1.5),
            RetryPeriod = TimeSpan.FromMilliseconds(250),
            RetryBaseDelay = TimeSpan.FromMilliseconds(100),
            RetryMaxDelay = TimeSpan.FromSeconds(2),
            WatchTimeoutSeconds = 60,
            JsonLogs = false,
        };
        configure?.Invoke(options);
        return options;
    }

    public async Task<OperatorHost> StartOperatorAsync(Action<OperatorOptions>? configure = null, Action<IServiceCollection>? configureServices = null)
    {
        var host = await OperatorHost.StartAsync(Options(configure), configureServices, CancellationToken.None);
        hosts.Add(host);
        return host;
    }

    public async Task StopOperatorAsync(OperatorHost host)
    {
        hosts.Remove(host);
        await host.DisposeAsync();
    }

    public static string DirectoryJson(int users, int groups = 1, string prefix = "user")
    {
        var userList = Enumerable.Range(0, users).Select(i => new { id = $"{prefix}-{i}", email = $"{prefix}{i}@corp.example" }).ToList();
        var groupList = Enumerable.Range(0, groups).Select(g => new { id = $"group-{g}", name = $"Group {g}", members = userList.Where((_, i) => i % groups == g).Select(u => u.id).ToArray() }).ToList();
        return JsonSerializer.Serialize(new { users = userList, groups = groupList });
    }

    public async Task<V1Secret> PutApiKeySecretAsync(string name = ApiKeySecret, string? clientSecret = null)
    {
        var secret = new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Namespace },
            Data = new Dictionary<string, byte[]>
            {
                ["client_id"] = Encoding.UTF8.GetBytes(Bitwarden.ClientId),
                ["client_secret"] = Encoding.UTF8.GetBytes(clientSecret ?? Bitwarden.ClientSecret),
            },
        };
        try
        {
            var existing = await Client.CoreV1.ReadNamespacedSecretAsync(name, Namespace);
            secret.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
            return await Client.CoreV1.ReplaceNamespacedSecretAsync(secret, name, Namespace);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return await Client.CoreV1.CreateNamespacedSecretAsync(secret, Namespace);
        }
    }

    public async Task PutDirectoryAsync(IDictionary<string, string> data, string name = DirectoryConfigMap)
    {
        var configMap = new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Namespace }, Data = data };
        try
        {
            var existing = await Client.CoreV1.ReadNamespacedConfigMapAsync(name, Namespace);
            configMap.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
            await Client.CoreV1.ReplaceNamespacedConfigMapAsync(configMap, name, Namespace);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            await Client.CoreV1.CreateNamespacedConfigMapAsync(configMap, Namespace);
        }
    }

    public DirectorySyncSpec Spec(string key = DirectoryKey, string configMap = DirectoryConfigMap) => new()
    {
        Interval = "1h",
        Bitwarden = new BitwardenSpec
        {
            ServerUrl = Bitwarden.BaseUrl.ToString().TrimEnd('/'),
            ApiKeySecretRef = new ApiKeySecretRef { Name = ApiKeySecret },
        },
        Source = new SourceSpec { File = new FileSourceSpec { ConfigMapRef = new ConfigMapKeyRef { Name = configMap, Key = key }, Format = FileFormat.Json } },
    };

    public async Task<DirectorySync> CreateDirectorySyncAsync(string name, DirectorySyncSpec spec, IDictionary<string, string>? labels = null)
    {
        var resource = new DirectorySync { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Namespace, Labels = labels }, Spec = spec };
        return await Client.CustomObjects.CreateNamespacedCustomObjectAsync<DirectorySync>(resource, DirectorySync.Group, DirectorySync.Version, Namespace, DirectorySync.Plural);
    }

    public async Task<DirectorySync> GetAsync(string name)
        => await Client.CustomObjects.GetNamespacedCustomObjectAsync<DirectorySync>(DirectorySync.Group, DirectorySync.Version, Namespace, DirectorySync.Plural, name);

    /// <summary>Merge-patches the main resource (spec, metadata), as kubectl edit or annotate would.</summary>
    public async Task PatchAsync(string name, object patch)
        => await Client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(JsonSerializer.Serialize(patch), V1Patch.PatchType.MergePatch), DirectorySync.Group, DirectorySync.Version, Namespace, DirectorySync.Plural, name);

    /// <summary>Merge-patches the status subresource, e.g. to damage what the last sync recorded.</summary>
    public async Task PatchStatusAsync(string name, object patch)
        => await Client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(new V1Patch(JsonSerializer.Serialize(patch), V1Patch.PatchType.MergePatch), DirectorySync.Group, DirectorySync.Version, Namespace, DirectorySync.Plural, name);

    public async Task<IReadOnlyList<Corev1Event>> EventsForAsync(string name)
        => [.. (await Client.CoreV1.ListNamespacedEventAsync(Namespace)).Items.Where(e => e.InvolvedObject?.Name == name)];

    /// <summary>The DirectorySync's events once one satisfies <paramref name="condition"/>: the reconciler records
    /// events after it writes status, so a test that saw the status polls for the event too.</summary>
    public async Task<IReadOnlyList<Corev1Event>> WaitForEventsAsync(string name, Func<Corev1Event, bool> condition, string what)
    {
        IReadOnlyList<Corev1Event> events = [];
        var deadline = DateTime.UtcNow + WaitLimit;
        while (DateTime.UtcNow < deadline)
        {
            events = await EventsForAsync(name);
            if (events.Any(condition))
            {
                return events;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"{name}: {what} was not recorded within {WaitLimit.TotalSeconds}s; events: {string.Join("; ", events.Select(e => $"{e.Type} {e.Reason}: {e.Message}"))}");
    }

    /// <summary>Polls until the DirectorySync satisfies <paramref name="condition"/>; fails with its last status otherwise.</summary>
    public async Task<DirectorySync> WaitForAsync(string name, Func<DirectorySync, bool> condition, string what, TimeSpan? limit = null)
    {
        DirectorySync? last = null;
        var deadline = DateTime.UtcNow + (limit ?? WaitLimit);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                last = await GetAsync(name);
                if (condition(last))
                {
                    return last;
                }
            }
            catch (HttpOperationException)
            {
                // Injected faults: poll again.
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"{name}: {what} did not happen within {(limit ?? WaitLimit).TotalSeconds}s; last status: {(last?.Status is null ? "none" : KubernetesJson.Serialize(last.Status))}");
    }

    public static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? limit = null)
    {
        var deadline = DateTime.UtcNow + (limit ?? WaitLimit);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what} did not happen within {(limit ?? WaitLimit).TotalSeconds}s.");
            }

            await Task.Delay(50);
        }
    }

    public static V1Condition? Ready(DirectorySync sync) => Conditions.Find(sync.Status?.Conditions, Conditions.Ready);

    public static bool IsReady(DirectorySync sync, string? reason = null)
        => Ready(sync) is { Status: "True" } ready && (reason is null || ready.Reason == reason) && sync.Status?.ObservedGeneration == sync.Metadata.Generation
           && !Conditions.IsTrue(sync.Status?.Conditions, Conditions.Reconciling);

    public async ValueTask DisposeAsync()
    {
        foreach (var host in hosts.ToList())
        {
            await host.DisposeAsync();
        }

        Client.Dispose();
        await Bitwarden.DisposeAsync();
        await Kube.DisposeAsync();
        Directory.Delete(workDirectory, recursive: true);
    }

    private static string RepositoryRoot() => Repository.Root;
}
