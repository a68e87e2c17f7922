using System.Net;
using System.Net.Http.Headers;
using Azure.Core;

namespace DirectoryConnector.Engine.Sources.EntraId;

/// <summary>
/// The bridge from the Graph SDK to the plumbing's <see cref="EntraIdHttpClient"/> (the one retry layer), which also
/// renews the token once: Graph answers 401 InvalidAuthenticationToken when a token expired or was revoked mid-sync
/// (learn.microsoft.com/graph/errors), so fetch one fresh token and resend the request. A second 401 is returned as
/// it is, so a credential Graph keeps refusing fails the sync instead of looping.
/// </summary>
internal sealed class EntraIdTokenRenewalHandler(EntraIdCredential credential, string scope, HttpClient inner) : HttpMessageHandler
{
    private int renewals;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // The SDK's HttpClient has marked the request as sent: the plumbing's client gets a copy.
        using var copy = Copy(request, request.Headers.Authorization);
        var response = await inner.SendAsync(copy, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized || request.Headers.Authorization is null || request.Content is not null
            || Interlocked.Increment(ref renewals) > 1)
        {
            return response;
        }

        credential.Renew();
        var token = await credential.GetTokenAsync(new TokenRequestContext([scope]), cancellationToken).ConfigureAwait(false);
        response.Dispose();
        using var again = Copy(request, new AuthenticationHeaderValue("Bearer", token.Token));
        return await inner.SendAsync(again, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
    }

    private static HttpRequestMessage Copy(HttpRequestMessage request, AuthenticationHeaderValue? authorization)
    {
        var copy = new HttpRequestMessage(request.Method, request.RequestUri)
        {
            Version = request.Version,
            VersionPolicy = request.VersionPolicy,
            Content = request.Content,
        };
        foreach (var header in request.Headers)
        {
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        copy.Headers.Authorization = authorization;
        return copy;
    }
}
