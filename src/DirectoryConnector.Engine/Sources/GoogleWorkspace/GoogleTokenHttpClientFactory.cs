using Google.Apis.Http;

namespace DirectoryConnector.Engine.Sources.GoogleWorkspace;

/// <summary>
/// Lets Google.Apis.Auth send its token requests through the source's typed HttpClient, so the caSecretRef trust,
/// HTTPS_PROXY and the resilience pipeline apply to the token endpoint exactly as to the Directory API.
/// </summary>
internal sealed class GoogleTokenHttpClientFactory(HttpClient httpClient) : HttpClientFactory
{
    protected override HttpMessageHandler CreateHandler(CreateHttpClientArgs args) => new ForwardingHandler(httpClient);

    // Disposing the Google client that wraps this handler must not dispose the shared typed client. Google's handler
    // may send one request message more than once (its retry loop); HttpClient refuses that, so each try is a copy.
    private sealed class ForwardingHandler(HttpClient inner) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            using var copy = new HttpRequestMessage(request.Method, request.RequestUri) { Version = request.Version };
            foreach (var header in request.Headers)
            {
                copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            if (request.Content is not null)
            {
                copy.Content = new ByteArrayContent(await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false));
                foreach (var header in request.Content.Headers)
                {
                    copy.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }
            }

            return await inner.SendAsync(copy, cancellationToken).ConfigureAwait(false);
        }
    }
}
