using System.Text.Json.Nodes;
using DirectoryConnector.Operator.Resources;
using DirectoryConnector.TestSupport.BadInput;
using DirectoryConnector.TestSupport.Kubernetes;
using FluentAssertions;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Xunit;

namespace DirectoryConnector.Operator.Tests.Emulator;

/// <summary>
/// The Admission cases of the bad-input catalog (<see cref="BadInputCatalog"/>), refused by the API server with the
/// committed CRD: created through the API (a client with strict field validation, as kubectl's default) the answer
/// names the field; applied with the real kubectl over a DirectorySync that already exists, kubectl prints the same
/// and the stored DirectorySync is untouched (same resourceVersion), so the operator never sees the bad spec.
/// </summary>
public sealed class BadInputAdmissionTests(BadInputAdmissionTests.Cluster cluster) : IClassFixture<BadInputAdmissionTests.Cluster>
{
    public static TheoryData<string> CaseNames() => [.. BadInputCatalog.Of(BadInputLayer.Admission).Select(c => c.Input)];

    [KubectlTheory]
    [MemberData(nameof(CaseNames))]
    public async Task EachCaseIsRefusedAtAdmissionNamingTheFieldAndTheStoredDirectorySyncIsKept(string input)
    {
        var @case = BadInputCatalog.Get(BadInputLayer.Admission, input);
        var before = cluster.Stored();

        var refused = await cluster.CreateThroughTheApiAsync(BadInputCatalog.Manifest(@case, name: "fresh"));
        @case.IsIn(refused).Should().BeTrue($"the API's answer has \"{@case.Message}\": {refused}");
        refused.Should().NotContain("SENTINEL");

        var stderr = await cluster.Kubectl.FailAsync("apply", "-f", cluster.Kubectl.WriteManifest("bad.yaml", BadInputCatalog.Manifest(@case)));
        @case.IsIn(stderr).Should().BeTrue($"kubectl prints \"{@case.Message}\": {stderr}");

        cluster.Stored().ToJsonString().Should().Be(before.ToJsonString(), "a refused apply changes nothing");
        cluster.Emulator.Get(Group, DirectorySync.Plural, "bitwarden", "fresh").Should().BeNull();
    }

    private static string Group => $"{DirectorySync.Group}/{DirectorySync.Version}";

    /// <summary>The emulator with the committed CRD, the namespace, and the catalog's valid DirectorySync "corp"
    /// applied with kubectl.</summary>
    public sealed class Cluster : IAsyncLifetime
    {
        public KubeApiEmulator Emulator { get; private set; } = null!;

        internal Kubectl Kubectl { get; private set; } = null!;

        public JsonObject Stored() => Emulator.Get(Group, DirectorySync.Plural, "bitwarden", "corp")
            ?? throw new InvalidOperationException("the valid DirectorySync corp is gone");

        /// <summary>POSTs the manifest's first document with fieldValidation=Strict and returns the Status message of the refusal.</summary>
        public async Task<string> CreateThroughTheApiAsync(string manifest)
        {
            var body = YamlJson.ReadDocuments(manifest)[0];
            using var client = Client();
            try
            {
                await client.CustomObjects.CreateNamespacedCustomObjectAsync(body, DirectorySync.Group, DirectorySync.Version, "bitwarden",
                    DirectorySync.Plural, fieldValidation: "Strict");
            }
            catch (HttpOperationException error)
            {
                ((int)error.Response.StatusCode).Should().BeOneOf([400, 422], error.Response.Content);
                return KubernetesJson.Deserialize<V1Status>(error.Response.Content).Message;
            }

            throw new InvalidOperationException("The API server accepted the bad DirectorySync.");
        }

        private Kubernetes Client() => new(new KubernetesClientConfiguration { Host = Emulator.BaseAddress.ToString() });

        public async Task InitializeAsync()
        {
            var options = new KubeApiEmulatorOptions();
            options.CrdPaths.Add(RepositoryPaths.CommittedCrd);
            Emulator = await KubeApiEmulator.StartAsync(options);
            using var client = Client();
            await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "bitwarden" } });
            if (File.Exists(KubectlFactAttribute.KubectlPath))
            {
                Kubectl = new Kubectl(Emulator);
                var valid = new BadInputCase(BadInputLayer.Admission, "valid", "-", "-") { Documents = "" };
                await Kubectl.RunAsync("apply", "-f", Kubectl.WriteManifest("valid.yaml", BadInputCatalog.Manifest(valid)));
            }
        }

        public async Task DisposeAsync()
        {
            Kubectl?.Dispose();
            await Emulator.DisposeAsync();
        }
    }
}
