using System.Net;
using System.Text.Json.Nodes;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Operator.Crd;
using DirectoryConnector.Operator.Resources;
using DirectoryConnector.TestSupport.Kubernetes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using DirectoryConnector.Engine.Sources.Ldap;

namespace DirectoryConnector.Operator.Tests.Emulator;

/// <summary>The emulator serving the committed CRD, and a real KubernetesClient pointed at it.</summary>
internal sealed class KubeTestCluster : IAsyncDisposable
{
    public const string Namespace = "bitwarden";

    private KubeTestCluster(KubeApiEmulator emulator, Kubernetes client)
    {
        Emulator = emulator;
        Client = client;
    }

    public KubeApiEmulator Emulator { get; }

    public Kubernetes Client { get; }

    public static async Task<KubeTestCluster> StartAsync(Action<KubeApiEmulatorOptions>? configure = null)
    {
        var options = new KubeApiEmulatorOptions();
        options.CrdPaths.Add(RepositoryPaths.CommittedCrd);
        options.Namespaces.Add(Namespace);
        configure?.Invoke(options);
        var emulator = await KubeApiEmulator.StartAsync(options);
        var client = new Kubernetes(new KubernetesClientConfiguration { Host = emulator.BaseAddress.ToString() });
        return new KubeTestCluster(emulator, client);
    }

    public Task<DirectorySync> CreateAsync(DirectorySync sync, string? fieldValidation = null) =>
        Client.CustomObjects.CreateNamespacedCustomObjectAsync<DirectorySync>(
            body: sync, group: DirectorySync.Group, version: DirectorySync.Version, namespaceParameter: Namespace,
            plural: DirectorySync.Plural, fieldValidation: fieldValidation);

    public Task<DirectorySync> CreateRawAsync(JsonNode sync, string? fieldValidation = null) =>
        Client.CustomObjects.CreateNamespacedCustomObjectAsync<DirectorySync>(
            body: sync, group: DirectorySync.Group, version: DirectorySync.Version, namespaceParameter: Namespace,
            plural: DirectorySync.Plural, fieldValidation: fieldValidation);

    public Task<DirectorySync> GetAsync(string name) =>
        Client.CustomObjects.GetNamespacedCustomObjectAsync<DirectorySync>(
            DirectorySync.Group, DirectorySync.Version, Namespace, DirectorySync.Plural, name);

    public Task<DirectorySync> ReplaceAsync(DirectorySync sync) =>
        Client.CustomObjects.ReplaceNamespacedCustomObjectAsync<DirectorySync>(
            sync, DirectorySync.Group, DirectorySync.Version, Namespace, DirectorySync.Plural, sync.Metadata.Name);

    public Task<DirectorySync> ReplaceStatusAsync(DirectorySync sync) =>
        Client.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync<DirectorySync>(
            sync, DirectorySync.Group, DirectorySync.Version, Namespace, DirectorySync.Plural, sync.Metadata.Name);

    public Task<DirectorySync> PatchAsync(string name, string patchJson, V1Patch.PatchType type, bool status = false) => status
        ? Client.CustomObjects.PatchNamespacedCustomObjectStatusAsync<DirectorySync>(
            new V1Patch(patchJson, type), DirectorySync.Group, DirectorySync.Version, Namespace, DirectorySync.Plural, name)
        : Client.CustomObjects.PatchNamespacedCustomObjectAsync<DirectorySync>(
            new V1Patch(patchJson, type), DirectorySync.Group, DirectorySync.Version, Namespace, DirectorySync.Plural, name);

    /// <summary>A DirectorySync the engine can run: an LDAP source and the API key Secret reference.</summary>
    public static DirectorySync Sample(string name, string interval = "15m") => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Namespace, Labels = new Dictionary<string, string> { ["team"] = "it" } },
        Spec = new DirectorySyncSpec
        {
            Interval = interval,
            Bitwarden = new BitwardenSpec { ApiKeySecretRef = new ApiKeySecretRef { Name = "bitwarden-api-key" } },
            Source = new SourceSpec
            {
                Ldap = new LdapSourceSpec
                {
                    Hostname = "ldap.corp.example.com",
                    RootPath = "dc=corp,dc=example,dc=com",
                    Username = "cn=reader,dc=corp,dc=example,dc=com",
                    PasswordSecretRef = new SecretKeyRef { Name = "ldap-bind", Key = "password" },
                },
            },
        },
    };

    public static JsonObject SampleJson(string name) => JsonNode.Parse(KubernetesJson.Serialize(Sample(name)))!.AsObject();

    /// <summary>Sends a JSON body as is (no client-side model or validation in between); returns the code and the answer.</summary>
    public async Task<(HttpStatusCode Code, JsonObject Body)> SendAsync(HttpMethod method, string path, JsonObject body)
    {
        using var http = new HttpClient { BaseAddress = Emulator.BaseAddress };
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json") };
        using var response = await http.SendAsync(request);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    /// <summary>Runs a call that must fail and returns the Status the server answered with.</summary>
    public static async Task<(HttpStatusCode Code, V1Status Status)> FailureOf(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (HttpOperationException error)
        {
            return (error.Response.StatusCode, KubernetesJson.Deserialize<V1Status>(error.Response.Content));
        }

        throw new InvalidOperationException("The call succeeded but was expected to fail.");
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Emulator.DisposeAsync();
    }
}

internal static class RepositoryPaths
{
    public static string Root => DirectoryConnector.TestSupport.Repository.Root;

    public static string CommittedCrd => Path.Combine(Root, CrdGenerator.CommittedPath);
}
