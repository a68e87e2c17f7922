using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace DirectoryConnector.Engine.Sources.Okta;

/// <summary>
/// Typed client for Okta's Management API (developer.okta.com/docs/api): GETs a list and follows the absolute URL in
/// <c>Link: &lt;…&gt;; rel="next"</c> until there is none, never building a page URL itself (the after cursor is
/// opaque). A next link to another origin than the first page's is refused, so the credential never leaves the org.
/// Errors throw <see cref="OktaApiException"/>; transport failures surface as <see cref="HttpRequestException"/>.
/// </summary>
public sealed class OktaClient(HttpClient http)
{
    /// <summary>Every entry of the list at <paramref name="firstPage"/>, page by page, in the server's order.</summary>
    /// <param name="pageJson">The page's compile-time contract (OktaJsonContext), so no reflection reads it.</param>
    public async Task<List<T>> ListAsync<T>(Uri firstPage, JsonTypeInfo<List<T>> pageJson, IOktaCredential credential, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(firstPage);
        ArgumentNullException.ThrowIfNull(credential);
        var entries = new List<T>();
        for (Uri? page = firstPage; page is not null;)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var response = await GetAsync(page, credential, cancellationToken).ConfigureAwait(false);
            var items = await response.Content.ReadFromJsonAsync(pageJson, cancellationToken).ConfigureAwait(false)
                        ?? throw new OktaApiException(response.StatusCode, null, $"{page.AbsolutePath} answered null instead of a JSON array");
            entries.AddRange(items);
            page = NextLink(response, firstPage);
        }

        return entries;
    }

    /// <summary>POSTs a client-credentials request with a private_key_jwt assertion to the org authorization server,
    /// with a DPoP proof header when <paramref name="dpopProof"/> is set (RFC 9449 §5). An error answer throws
    /// <see cref="OktaApiException"/> carrying the OAuth error and any <c>DPoP-Nonce</c> the server sent.</summary>
    public async Task<OktaAccessToken> RequestAccessTokenAsync(Uri tokenUrl, string clientAssertion, string scope, string? dpopProof, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, tokenUrl)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["scope"] = scope,
                ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                ["client_assertion"] = clientAssertion,
            }),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (dpopProof is not null)
        {
            request.Headers.Add("DPoP", dpopProof);
        }

        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorAsync(response, cancellationToken).ConfigureAwait(false);
        }

        var token = await response.Content.ReadFromJsonAsync(OktaJsonContext.Default.OktaAccessToken, cancellationToken).ConfigureAwait(false);
        return token is { AccessToken.Length: > 0 } ? token : throw new OktaApiException(response.StatusCode, null, "the token endpoint answered without an access_token");
    }

    /// <summary>The rel="next" target among the Link headers (several headers, or one comma-joined; RFC 8288).</summary>
    public static Uri? NextLink(HttpResponseMessage response, Uri origin)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(origin);
        if (!response.Headers.TryGetValues("Link", out var values))
        {
            return null;
        }

        foreach (var value in values)
        {
            foreach (var link in SplitLinks(value))
            {
                var close = link.IndexOf('>', StringComparison.Ordinal);
                if (!link.StartsWith('<') || close < 0)
                {
                    continue;
                }

                var isNext = link[(close + 1)..].Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                    .Select(p => p.Split('=', 2, StringSplitOptions.TrimEntries))
                    .Any(p => p.Length == 2 && p[0].Equals("rel", StringComparison.OrdinalIgnoreCase)
                              && p[1].Trim('"').Split(' ').Contains("next", StringComparer.OrdinalIgnoreCase));
                if (!isNext)
                {
                    continue;
                }

                if (!Uri.TryCreate(origin, link[1..close], out var next))
                {
                    throw new OktaApiException(response.StatusCode, null, $"the next-page link of {origin.AbsolutePath} is not a URL");
                }

                if (Uri.Compare(next, origin, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) != 0)
                {
                    throw new OktaApiException(response.StatusCode, null,
                        $"the next-page link of {origin.AbsolutePath} points to {next.GetLeftPart(UriPartial.Authority)}, not to the org URL {origin.GetLeftPart(UriPartial.Authority)}; set orgUrl to the URL Okta uses in its links");
                }

                return next;
            }
        }

        return null;
    }

    private async Task<HttpResponseMessage> GetAsync(Uri page, IOktaCredential credential, CancellationToken cancellationToken)
    {
        for (var refresh = false; ; refresh = true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, page);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            await credential.AuthorizeAsync(request, this, refresh, cancellationToken).ConfigureAwait(false);
            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            using (response)
            {
                // An access token may have expired mid-read: one new token, then the 401 stands.
                if (response.StatusCode == HttpStatusCode.Unauthorized && credential.CanRefresh && !refresh)
                {
                    continue;
                }

                throw await ErrorAsync(response, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task<OktaApiException> ErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var challenge = response.Headers.WwwAuthenticate.ToString();
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        string? code = null;
        var summary = $"{(int)response.StatusCode} {response.ReasonPhrase}";
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("errorCode", out var errorCode))
            {
                code = errorCode.GetString();
                summary = root.TryGetProperty("errorSummary", out var text) ? text.GetString() ?? summary : summary;
                if (root.TryGetProperty("errorCauses", out var causes) && causes.ValueKind == JsonValueKind.Array)
                {
                    var details = causes.EnumerateArray()
                        .Select(c => c.ValueKind == JsonValueKind.Object && c.TryGetProperty("errorSummary", out var s) ? s.GetString() : null)
                        .OfType<string>().ToList();
                    if (details.Count > 0)
                    {
                        summary = $"{summary} ({string.Join("; ", details)})";
                    }
                }
            }
            else if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error))
            {
                code = error.GetString();
                summary = root.TryGetProperty("error_description", out var description) ? description.GetString() ?? summary : summary;
            }
        }
        catch (JsonException)
        {
            // A proxy's HTML page: the status line is all there is to say.
        }

        return new OktaApiException(response.StatusCode, code, summary, string.IsNullOrEmpty(challenge) ? null : challenge)
        {
            DpopNonce = response.Headers.TryGetValues("DPoP-Nonce", out var nonces) ? nonces.FirstOrDefault() : null,
        };
    }

    private static IEnumerable<string> SplitLinks(string value)
    {
        var start = 0;
        var inside = false;
        for (var i = 0; i < value.Length; i++)
        {
            inside = value[i] switch { '<' => true, '>' => false, _ => inside };
            if (value[i] == ',' && !inside)
            {
                yield return value[start..i].Trim();
                start = i + 1;
            }
        }

        yield return value[start..].Trim();
    }
}
