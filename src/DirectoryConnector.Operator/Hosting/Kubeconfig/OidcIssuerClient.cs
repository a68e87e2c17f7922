using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using k8s.Exceptions;
using Polly.Timeout;

namespace DirectoryConnector.Operator.Hosting.Kubeconfig;

/// <summary>
/// Refreshes an OIDC id-token as client-go's oidc auth provider does (k8s.io/client-go/plugin/pkg/client/auth/oidc):
/// the token endpoint from the issuer's discovery document (OpenID Connect Discovery 1.0 §4), then a refresh_token
/// grant there (RFC 6749 §6), whose answer must carry a new id_token. The client authenticates with
/// client_secret_basic unless the issuer lists only client_secret_post (Discovery §3's default is basic); a public
/// client (no secret) sends its client_id. KubernetesClient's OidcTokenProvider posts to the issuer URL itself, which
/// no issuer serves, and trusts only the system CAs. Messages never hold a token or the secret.
/// </summary>
internal sealed class OidcIssuerClient(HttpClient http)
{
    public async Task<OidcTokenResponse> RefreshAsync(OidcAuthProviderSettings settings, string refreshToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var discovery = settings.IssuerUrl.TrimEnd('/') + "/.well-known/openid-configuration";
        OidcProviderMetadata metadata;
        using (var request = new HttpRequestMessage(HttpMethod.Get, discovery))
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var response = await SendAsync(request, settings, "its discovery document", cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw Failure(settings, $"its discovery document {discovery} answered {(int)response.StatusCode} {response.ReasonPhrase}.");
            }

            metadata = await ReadAsync(response, OidcJsonContext.Default.OidcProviderMetadata, cancellationToken).ConfigureAwait(false)
                ?? throw Failure(settings, $"its discovery document {discovery} is not a JSON object.");
        }

        if (!Uri.TryCreate(metadata.TokenEndpoint, UriKind.Absolute, out var tokenEndpoint) || tokenEndpoint.Scheme is not ("https" or "http"))
        {
            throw Failure(settings, $"its discovery document {discovery} has no token_endpoint URL.");
        }

        var form = new List<KeyValuePair<string, string>> { new("grant_type", "refresh_token"), new("refresh_token", refreshToken) };
        using var refresh = new HttpRequestMessage(HttpMethod.Post, tokenEndpoint);
        refresh.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (string.IsNullOrEmpty(settings.ClientSecret))
        {
            form.Add(new("client_id", settings.ClientId));
        }
        else
        {
            var methods = metadata.TokenEndpointAuthMethods ?? ["client_secret_basic"];
            if (methods.Contains("client_secret_basic"))
            {
                // RFC 6749 §2.3.1: each part form-encoded before they are joined and base64-encoded.
                var credentials = $"{WebUtility.UrlEncode(settings.ClientId)}:{WebUtility.UrlEncode(settings.ClientSecret)}";
                refresh.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
            }
            else if (methods.Contains("client_secret_post"))
            {
                form.Add(new("client_id", settings.ClientId));
                form.Add(new("client_secret", settings.ClientSecret));
            }
            else
            {
                throw Failure(settings, $"its token endpoint accepts neither client_secret_basic nor client_secret_post (token_endpoint_auth_methods_supported: {string.Join(", ", methods)}).");
            }
        }

        refresh.Content = new FormUrlEncodedContent(form);
        using var answer = await SendAsync(refresh, settings, $"its token endpoint {tokenEndpoint.GetLeftPart(UriPartial.Path)}", cancellationToken).ConfigureAwait(false);
        OidcTokenResponse? tokens;
        try
        {
            tokens = await ReadAsync(answer, OidcJsonContext.Default.OidcTokenResponse, cancellationToken).ConfigureAwait(false);
        }
        catch (KubernetesClientException) when (!answer.IsSuccessStatusCode)
        {
            tokens = null;
        }

        if (!answer.IsSuccessStatusCode)
        {
            var error = tokens?.Error is { Length: > 0 } code ? $": {code}{(tokens.ErrorDescription is { Length: > 0 } description ? $" ({description})" : "")}" : "";
            var hint = tokens?.Error == "invalid_grant" ? " The refresh-token is no longer valid: log in to the issuer again to get a new one." : "";
            throw Failure(settings, $"its token endpoint refused to refresh the id-token with {(int)answer.StatusCode} {answer.ReasonPhrase}{error}.{hint}");
        }

        if (string.IsNullOrEmpty(tokens?.IdToken))
        {
            // client-go's words: some providers (Okta) answer a refresh without one.
            throw Failure(settings, "the token response did not contain an id_token, either the scope \"openid\" wasn't requested upon login, or the provider doesn't support id_tokens as part of the refresh response.");
        }

        return tokens;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, OidcAuthProviderSettings settings, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is HttpRequestException or TimeoutRejectedException
            || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw Failure(settings, $"{what} could not be reached: {exception.Message}", exception);
        }
    }

    private static async Task<T?> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        try
        {
            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                return await JsonSerializer.DeserializeAsync(body, type, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (JsonException e)
        {
            // The position only: the body may hold a token.
            throw new KubernetesClientException($"the answer of {response.RequestMessage?.RequestUri?.GetLeftPart(UriPartial.Path)} is not the expected JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).", e);
        }
    }

    private static KubernetesClientException Failure(OidcAuthProviderSettings settings, string problem, Exception? inner = null) =>
        new($"cannot refresh the OIDC id-token of kubeconfig {settings.Describe()}: {problem}", inner);
}
