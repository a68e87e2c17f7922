using Google.Apis.Http;

namespace DirectoryConnector.Engine.Sources.GoogleWorkspace;

/// <summary>
/// Lets Google.Apis.Auth send its token requests through the source's typed HttpClient, so the caSecretRef trust,
/// HTTPS_PROXY and the resilience pipeline apply to the token endpoint exactly as to the Directory API.
/// </summary>
internal sealed class GoogleTokenHttpClientFactory(HttpClient httpClient) : HttpClientFactory
{
    protected override HttpMessageHandler CreateHandler(CreateHttpClientArgs args) => new ForwardingHandler(httpClient);

    // Disposing the Google client that wraps this handler must not dispose the shared typed client.
    private sealed class ForwardingHandler(HttpClient inner) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            inner.SendAsync(request, cancellationToken);
    }
}
