using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DirectoryConnector.TestSupport.Kubernetes;

/// <summary>Settings of a <see cref="KubeApiEmulator"/>.</summary>
public sealed class KubeApiEmulatorOptions
{
    /// <summary>CRD manifests (YAML) served from the start, e.g. config/crd/directoryconnector.dev_directorysyncs.yaml.</summary>
    public IList<string> CrdPaths { get; } = [];

    /// <summary>How often a watch with allowWatchBookmarks gets a BOOKMARK (the real server: about a minute).</summary>
    public TimeSpan BookmarkInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Watch length when the client gives no timeoutSeconds.</summary>
    public TimeSpan DefaultWatchTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Events kept for watches from a resourceVersion; older ones are compacted (410 Gone).</summary>
    public int HistoryLimit { get; set; } = 10_000;

    /// <summary>Most items one list page holds whatever limit the client asks for (the server may return fewer); null: no cap.</summary>
    public int? MaxPageSize { get; set; }

    /// <summary>
    /// The namespaces that exist from the start (a new cluster's four by default; add a test's own). Creating or updating
    /// an object in any other namespace is 404 until a Namespace of that name is created, as on a real cluster.
    /// </summary>
    public IList<string> Namespaces { get; } = ["default", "kube-system", "kube-public", "kube-node-lease"];

    /// <summary>The clock for creationTimestamp and ages in tables.</summary>
    public Func<DateTimeOffset> Clock { get; set; } = () => DateTimeOffset.UtcNow;

    /// <summary>
    /// Whether a request's bearer token (null: none) authenticates; a request it refuses is 401 Unauthorized with the
    /// API server's Status body, before any route or fault. Read on every request, so a test may change it (a rotated
    /// credential); null accepts every request.
    /// </summary>
    public Func<string?, bool>? Authenticates { get; set; }
}

/// <summary>
/// A loopback Kubernetes API server for tests (127.0.0.1, a free port), spoken to by the real KubernetesClient and
/// kubectl over HTTP. It serves discovery, Namespaces, Secrets, ConfigMaps, Events (core/v1 and events.k8s.io/v1),
/// Leases, CustomResourceDefinitions and the custom resources they define, with the API server's rules for
/// resourceVersion, generation, the status subresource, schema validation, patches, watches and tables; and fault
/// injection (failing or throttled requests, latency, dropped watches, compaction).
/// </summary>
public sealed class KubeApiEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly KubeApiRoutes _routes;
    private readonly ResourceStore _store;

    private KubeApiEmulator(WebApplication app, KubeApiRoutes routes, ResourceStore store, Uri baseAddress)
    {
        _app = app;
        _routes = routes;
        _store = store;
        BaseAddress = baseAddress;
    }

    /// <summary>http://127.0.0.1:port, the server address for KubernetesClientConfiguration.Host or a kubeconfig.</summary>
    public Uri BaseAddress { get; }

    public KubeApiFaults Faults { get; private init; } = new();

    /// <summary>Every request served, as "METHOD /path?query", oldest first.</summary>
    public IReadOnlyCollection<string> Requests => _routes.Requests;

    /// <summary>Every request with the bearer token it carried, to tell clients apart (see <see cref="KubeconfigYaml"/>).</summary>
    public IReadOnlyCollection<RecordedRequest> Recorded => _routes.Recorded;

    /// <summary>The newest resourceVersion.</summary>
    public long ResourceVersion => _store.ResourceVersion;

    public static async Task<KubeApiEmulator> StartAsync(KubeApiEmulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new KubeApiEmulatorOptions();
        var store = new ResourceStore(options.HistoryLimit);
        var faults = new KubeApiFaults();
        var routes = new KubeApiRoutes(store, faults, options);
        foreach (var ns in options.Namespaces)
        {
            routes.AddNamespace(ns);
        }

        foreach (var path in options.CrdPaths)
        {
            var text = await File.ReadAllTextAsync(path, cancellationToken);
            foreach (var crd in YamlJson.ReadDocuments(text).Where(d => d["kind"]?.GetValue<string>() == "CustomResourceDefinition"))
            {
                routes.Register(ApiResourceType.FromCrd(crd));
            }
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(routes.HandleAsync);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new KubeApiEmulator(app, routes, store, new Uri(address)) { Faults = faults };
    }

    /// <summary>Ends every open watch abruptly (connections aborted); returns how many were open.</summary>
    public int DropWatches() => _routes.DropWatches();

    /// <summary>Compacts the event history now: watches from any older resourceVersion get 410 Gone.</summary>
    public void CompactHistory() => _store.Compact();

    /// <summary>A kubeconfig for kubectl (or KubernetesClientConfiguration.BuildConfigFromConfigFile) pointing here.</summary>
    public string KubeconfigYaml(string defaultNamespace = "default", string token = "emulator-token") => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: emulator
          cluster:
            server: {BaseAddress.ToString().TrimEnd('/')}
        users:
        - name: emulator
          user:
            token: {token}
        contexts:
        - name: emulator
          context:
            cluster: emulator
            user: emulator
            namespace: {defaultNamespace}
        current-context: emulator
        """;

    /// <summary>Reads an object straight from storage (null when absent), bypassing HTTP and faults.</summary>
    public JsonObject? Get(string groupVersion, string plural, string? ns, string name) =>
        _routes.Find(groupVersion, plural) is { } type ? _store.Get(type, type.Namespaced ? ns ?? "" : "", name) : null;

    public async ValueTask DisposeAsync()
    {
        _routes.DropWatches();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
