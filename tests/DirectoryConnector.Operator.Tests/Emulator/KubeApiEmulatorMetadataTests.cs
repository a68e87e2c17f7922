using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using DirectoryConnector.Operator.Resources;
using DirectoryConnector.TestSupport.Kubernetes;
using FluentAssertions;
using k8s;
using k8s.Models;
using Xunit;

namespace DirectoryConnector.Operator.Tests.Emulator;

/// <summary>
/// Metadata-only responses as the API server negotiates them from Accept (handlers/response.go, negotiation): what
/// controller-runtime's metadata informers and client-go's metadata client ask for, and the 406s the server answers.
/// </summary>
public sealed class KubeApiEmulatorMetadataTests
{
    private const string Sentinel = "s3cr3t-value-never-in-metadata";
    private const string ListAccept = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";
    private const string ObjectAccept = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1";

    [Fact]
    public async Task AMetadataListOfSecretsCarriesEveryItemsMetadataAndNoData()
    {
        await using var cluster = await StartAsync();
        await CreateSecretAsync(cluster, "a");
        await CreateSecretAsync(cluster, "b");
        await CreateSecretAsync(cluster, "c");

        var (code, first) = await GetAsync(cluster, $"/api/v1/namespaces/{KubeTestCluster.Namespace}/secrets?limit=2", ListAccept);
        var (_, second) = await GetAsync(cluster, $"/api/v1/namespaces/{KubeTestCluster.Namespace}/secrets?limit=2&continue={first["metadata"]!["continue"]}", ListAccept);

        code.Should().Be(HttpStatusCode.OK);
        first["kind"]!.GetValue<string>().Should().Be("PartialObjectMetadataList");
        first["apiVersion"]!.GetValue<string>().Should().Be("meta.k8s.io/v1");
        first["metadata"]!["resourceVersion"]!.GetValue<string>().Should().NotBeNullOrEmpty();
        first["metadata"]!["remainingItemCount"]!.GetValue<int>().Should().Be(1);
        var items = first["items"]!.AsArray().Concat(second["items"]!.AsArray()).Select(i => i!.AsObject()).ToList();
        items.Select(i => i["metadata"]!["name"]!.GetValue<string>()).Should().Equal("a", "b", "c");
        items.Should().OnlyContain(i => i["kind"]!.GetValue<string>() == "PartialObjectMetadata" && i["apiVersion"]!.GetValue<string>() == "meta.k8s.io/v1"
            && !i.ContainsKey("data") && !i.ContainsKey("type") && i["metadata"]!["resourceVersion"] != null);
        (first.ToJsonString() + second.ToJsonString()).Should().NotContain(Base64(Sentinel));
    }

    [Fact]
    public async Task AMetadataGetOfASecretOrADirectorySyncIsItsPartialObjectMetadata()
    {
        await using var cluster = await StartAsync();
        await CreateSecretAsync(cluster, "api-key");
        await cluster.CreateAsync(KubeTestCluster.Sample("corp"));

        var (secretCode, secret) = await GetAsync(cluster, $"/api/v1/namespaces/{KubeTestCluster.Namespace}/secrets/api-key", ObjectAccept);
        var (syncCode, sync) = await GetAsync(cluster, $"/apis/{DirectorySync.Group}/{DirectorySync.Version}/namespaces/{KubeTestCluster.Namespace}/{DirectorySync.Plural}/corp", ObjectAccept);

        (secretCode, syncCode).Should().Be((HttpStatusCode.OK, HttpStatusCode.OK));
        secret.Select(p => p.Key).Should().BeEquivalentTo("kind", "apiVersion", "metadata");
        secret["kind"]!.GetValue<string>().Should().Be("PartialObjectMetadata");
        secret["metadata"]!["annotations"]!["note"]!.GetValue<string>().Should().Be("kept");
        sync.Select(p => p.Key).Should().BeEquivalentTo("kind", "apiVersion", "metadata");
        sync["metadata"]!["labels"]!["team"]!.GetValue<string>().Should().Be("it");
    }

    [Fact]
    public async Task AListConversionOfOneObjectAndAnObjectConversionOfAListAre406()
    {
        await using var cluster = await StartAsync();
        await CreateSecretAsync(cluster, "api-key");

        var (getCode, getStatus) = await GetAsync(cluster, $"/api/v1/namespaces/{KubeTestCluster.Namespace}/secrets/api-key", ListAccept);
        var (listCode, listStatus) = await GetAsync(cluster, $"/api/v1/namespaces/{KubeTestCluster.Namespace}/secrets", ObjectAccept);

        getCode.Should().Be(HttpStatusCode.NotAcceptable);
        getStatus["reason"]!.GetValue<string>().Should().Be("NotAcceptable");
        getStatus["message"]!.GetValue<string>().Should().Be("you requested PartialObjectMetadataList, but the requested object is not a list (*core.Secret)");
        listCode.Should().Be(HttpStatusCode.NotAcceptable);
        listStatus["message"]!.GetValue<string>().Should().Be("you requested PartialObjectMetadata, but the requested object is a list (*core.SecretList)");
    }

    [Theory]
    [InlineData("application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v2")]
    [InlineData("application/json;as=SecretList;g=meta.k8s.io;v=v1")]
    [InlineData("application/json;as=PartialObjectMetadataList;g=apps;v=v1")]
    [InlineData("text/html")]
    public async Task AConversionTheServerDoesNotKnowIs406UnlessAPlainClauseFollows(string accept)
    {
        await using var cluster = await StartAsync();
        await CreateSecretAsync(cluster, "api-key");
        var path = $"/api/v1/namespaces/{KubeTestCluster.Namespace}/secrets";

        var (code, status) = await GetAsync(cluster, path, accept);
        var (fallbackCode, fallback) = await GetAsync(cluster, path, accept + ", application/json");
        var (qualityCode, preferred) = await GetAsync(cluster, path, $"application/json;q=0.5, {ListAccept}");

        code.Should().Be(HttpStatusCode.NotAcceptable);
        status["message"]!.GetValue<string>().Should().Be(ResponseFormat.NotAcceptableMessage);
        fallbackCode.Should().Be(HttpStatusCode.OK);
        fallback["kind"]!.GetValue<string>().Should().Be("SecretList");
        qualityCode.Should().Be(HttpStatusCode.OK);
        preferred["kind"]!.GetValue<string>().Should().Be("PartialObjectMetadataList", "the higher-quality clause wins");
    }

    [Fact]
    public async Task AMetadataWatchSendsEventsAndBookmarksAsPartialObjectMetadata()
    {
        await using var cluster = await StartAsync(o => o.BookmarkInterval = TimeSpan.FromMilliseconds(200));
        var (_, list) = await GetAsync(cluster, $"/api/v1/namespaces/{KubeTestCluster.Namespace}/secrets", ListAccept);
        var from = list["metadata"]!["resourceVersion"]!.GetValue<string>();

        var watching = ReadWatchAsync(cluster, $"/api/v1/namespaces/{KubeTestCluster.Namespace}/secrets?watch=true&allowWatchBookmarks=true&timeoutSeconds=2&resourceVersion={from}", ObjectAccept);
        await Task.Delay(100);
        await CreateSecretAsync(cluster, "rotated");
        var secret = await cluster.Client.CoreV1.ReadNamespacedSecretAsync("rotated", KubeTestCluster.Namespace);
        secret.Data["password"] = Encoding.UTF8.GetBytes(Sentinel + "-2");
        await cluster.Client.CoreV1.ReplaceNamespacedSecretAsync(secret, "rotated", KubeTestCluster.Namespace);
        var lines = await watching;

        var events = lines.Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        events.Where(e => e["type"]!.GetValue<string>() != "BOOKMARK").Select(e => (e["type"]!.GetValue<string>(), e["object"]!["metadata"]!["name"]!.GetValue<string>()))
            .Should().Equal(("ADDED", "rotated"), ("MODIFIED", "rotated"));
        events.Should().Contain(e => e["type"]!.GetValue<string>() == "BOOKMARK");
        events.Should().OnlyContain(e => e["object"]!["kind"]!.GetValue<string>() == "PartialObjectMetadata" && !e["object"]!.AsObject().ContainsKey("data"));
        string.Concat(lines).Should().NotContain(Base64(Sentinel));
    }

    [Fact]
    public async Task AWatchAskingForAListConversionGetsTheObjectsUnconverted()
    {
        // The server's watch encoder logs the failed conversion and sends the object as it is.
        await using var cluster = await StartAsync();
        var watching = ReadWatchAsync(cluster, $"/api/v1/namespaces/{KubeTestCluster.Namespace}/secrets?watch=true&timeoutSeconds=1", ListAccept);
        await Task.Delay(100);
        await CreateSecretAsync(cluster, "plain");

        var events = (await watching).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();

        events.Should().ContainSingle().Which["object"]!["kind"]!.GetValue<string>().Should().Be("Secret");
    }

    private static Task<KubeTestCluster> StartAsync(Action<KubeApiEmulatorOptions>? configure = null) => KubeTestCluster.StartAsync(configure);

    private static Task<V1Secret> CreateSecretAsync(KubeTestCluster cluster, string name) =>
        cluster.Client.CoreV1.CreateNamespacedSecretAsync(
            new V1Secret
            {
                Metadata = new V1ObjectMeta { Name = name, Annotations = new Dictionary<string, string> { ["note"] = "kept" } },
                Data = new Dictionary<string, byte[]> { ["password"] = Encoding.UTF8.GetBytes(Sentinel) },
            },
            KubeTestCluster.Namespace);

    private static async Task<(HttpStatusCode Code, JsonObject Body)> GetAsync(KubeTestCluster cluster, string path, string accept)
    {
        using var http = new HttpClient { BaseAddress = cluster.Emulator.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Accept", accept);
        using var response = await http.SendAsync(request);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    private static async Task<List<string>> ReadWatchAsync(KubeTestCluster cluster, string path, string accept)
    {
        using var http = new HttpClient { BaseAddress = cluster.Emulator.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse(accept));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var lines = new List<string>();
        while (await reader.ReadLineAsync() is { } line)
        {
            lines.Add(line);
        }

        return lines;
    }

    private static string Base64(string value) => Convert.ToBase64String(Encoding.UTF8.GetBytes(value));
}
