namespace DirectoryConnector.Engine.Sources.EntraId;

/// <summary>The typed client of the shared HTTP plumbing (retries honouring Retry-After, caSecretRef trust, proxies)
/// that carries both Azure.Identity's token requests and the Graph SDK's requests.</summary>
public sealed class EntraIdHttpClient(HttpClient http)
{
    public HttpClient Http { get; } = http;
}
