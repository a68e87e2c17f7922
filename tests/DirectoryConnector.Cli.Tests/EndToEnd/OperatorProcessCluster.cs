using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources.File;
using DirectoryConnector.Operator.Resources;
using DirectoryConnector.TestSupport;
using DirectoryConnector.TestSupport.Bitwarden;
using DirectoryConnector.TestSupport.Kubernetes;
using k8s;
using k8s.Models;

namespace DirectoryConnector.Cli.Tests.EndToEnd;

/// <summary>
/// The Kubernetes API emulator (with the committed CRD) and the Bitwarden stand-in, in this test process, for the
/// `operator` verb started as a separate process against them: a namespace with the API-key Secret, a JSON directory
/// in a ConfigMap, and DirectorySyncs reading it.
/// </summary>
internal sealed class OperatorProcessCluster : IAsyncDisposable
{
    public const string Namespace = "bitwarden";
    public const string LeaseNamespace = "operators";
    public const string LeaseName = "directory-connector-operator";

    private readonly DirectoryInfo work;

    private OperatorProcessCluster(KubeApiEmulator kube, BitwardenStandIn bitwarden, DirectoryInfo work)
    {
        Kube = kube;
        Bitwarden = bitwarden;
        this.work = work;
        KubeconfigPath = Path.Combine(work.FullName, "kubeconfig");
        File.WriteAllText(KubeconfigPath, kube.KubeconfigYaml(Namespace));
        Client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeconfigPath));
    }

    public KubeApiEmulator Kube { get; }

    public BitwardenStandIn Bitwarden { get; }

    public IKubernetes Client { get; }

    public string KubeconfigPath { get; }

    public static async Task<OperatorProcessCluster> StartAsync(BitwardenStandInOptions? bitwardenOptions = null)
    {
        var options = new KubeApiEmulatorOptions { BookmarkInterval = TimeSpan.FromMilliseconds(500) };
        options.CrdPaths.Add(Repository.DirectorySyncCrd);
        var kube = await KubeApiEmulator.StartAsync(options);
        var bitwarden = await BitwardenStandIn.StartAsync(bitwardenOptions);
        var cluster = new OperatorProcessCluster(kube, bitwarden, Directory.CreateTempSubdirectory("operator-process-"));
        foreach (var ns in new[] { Namespace, LeaseNamespace })
        {
            await cluster.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
        }

        await cluster.Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "bw-api-key", NamespaceProperty = Namespace },
            Data = new Dictionary<string, byte[]>
            {
                ["client_id"] = Encoding.UTF8.GetBytes(bitwarden.ClientId),
                ["client_secret"] = Encoding.UTF8.GetBytes(bitwarden.ClientSecret),
            },
        }, Namespace);
        return cluster;
    }

    /// <summary>A JSON directory export of <paramref name="users"/> users in one group.</summary>
    public static string DirectoryJson(int users, string prefix = "user")
    {
        var userList = Enumerable.Range(0, users).Select(i => new { id = $"{prefix}-{i}", email = $"{prefix}{i}@corp.example" }).ToList();
        return JsonSerializer.Serialize(new { users = userList, groups = new[] { new { id = "group-0", name = "Everyone", members = userList.Select(u => u.id).ToArray() } } });
    }

    public async Task PutDirectoryAsync(string json, string name = "directory")
    {
        var configMap = new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Namespace }, Data = new Dictionary<string, string> { ["directory.json"] = json } };
        await Client.CoreV1.CreateNamespacedConfigMapAsync(configMap, Namespace);
    }

    public async Task CreateDirectorySyncAsync(string name, string configMap = "directory", string interval = "1h")
    {
        var spec = new DirectorySyncSpec
        {
            Interval = interval,
            Bitwarden = new BitwardenSpec { ServerUrl = Bitwarden.BaseUrl.ToString().TrimEnd('/'), ApiKeySecretRef = new ApiKeySecretRef { Name = "bw-api-key" } },
            Source = new SourceSpec { File = new FileSourceSpec { ConfigMapRef = new ConfigMapKeyRef { Name = configMap, Key = "directory.json" }, Format = FileFormat.Json } },
        };
        var resource = new DirectorySync { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Namespace }, Spec = spec };
        await Client.CustomObjects.CreateNamespacedCustomObjectAsync(resource, DirectorySync.Group, DirectorySync.Version, Namespace, DirectorySync.Plural);
    }

    /// <summary>The Lease's spec as stored (no HTTP, no faults); null when there is no Lease.</summary>
    public JsonObject? LeaseSpec() => Kube.Get("coordination.k8s.io/v1", "leases", LeaseNamespace, LeaseName)?["spec"] as JsonObject;

    public string? LeaseHolder() => LeaseSpec()?["holderIdentity"]?.GetValue<string>();

    /// <summary>The DirectorySync's Ready condition reason as stored, or null.</summary>
    public string? ReadyReason(string name)
        => (Kube.Get($"{DirectorySync.Group}/{DirectorySync.Version}", DirectorySync.Plural, Namespace, name)?["status"]?["conditions"] as JsonArray)
            ?.OfType<JsonObject>().FirstOrDefault(c => c["type"]?.GetValue<string>() == "Ready" && c["status"]?.GetValue<string>() == "True")?["reason"]?.GetValue<string>();

    /// <summary>The loopback port of the last operator started (/metrics, /healthz).</summary>
    public int HttpPort { get; private set; }

    /// <summary>Starts `directory-connector operator` with this cluster's kubeconfig, text logs and a loopback HTTP port.</summary>
    public CliProcess StartOperator(params string[] args) => StartOperator(jsonLogs: false, args);

    /// <summary>As <see cref="StartOperator(string[])"/>, with the default JSON logs when <paramref name="jsonLogs"/> is set.</summary>
    public CliProcess StartOperator(bool jsonLogs, params string[] args)
    {
        HttpPort = FreePort();
        return CliProcess.Start(CliProcess.BuiltExecutable,
            ["operator", "--kubeconfig", KubeconfigPath, "--http-address", "127.0.0.1", "--http-port", HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                .. jsonLogs ? Array.Empty<string>() : ["--text-logs"], "--leader-election-namespace", LeaseNamespace, .. args],
            new Dictionary<string, string?> { ["HOME"] = work.FullName, ["KUBECONFIG"] = null, ["KUBERNETES_SERVICE_HOST"] = null, ["DOTNET_NOLOGO"] = "1" });
    }

    /// <summary>Polls <paramref name="condition"/> until it holds, the process exits, or 120 s pass; returns whether it held.</summary>
    public static async Task<bool> WaitForAsync(Func<bool> condition, CliProcess? process = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline && process?.HasExited != true)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(50);
        }

        return condition();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Bitwarden.DisposeAsync();
        await Kube.DisposeAsync();
        work.Delete(recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
