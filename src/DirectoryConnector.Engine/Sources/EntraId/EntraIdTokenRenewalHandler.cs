using System.Net;
using System.Net.Http.Headers;
using Azure.Core;

namespace DirectoryConnector.Engine.Sources.EntraId;

/// <summary>
/// Graph answers 401 InvalidAuthenticationToken when a token expired or was revoked mid-sync
/// (learn.microsoft.com/graph/errors): fetch one fresh token and resend the request once. A second 401 is returned
/// as it is, so a credential Graph keeps refusing fails the sync instead of looping.
/// </summary>
internal sealed class EntraIdTokenRenewalHandler(EntraIdCredential credential, string scope) : DelegatingHandler
{
    private int renewals;

    /// <summary>How many times a fresh token was fetched after a 401.</summary>
    public int Renewals => Volatile.Read(ref renewals);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized || request.Headers.Authorization is null || Interlocked.Increment(ref renewals) > 1)
        {
            return response;
        }

        credential.Renew();
        var token = await credential.GetTokenAsync(new TokenRequestContext([scope]), cancellationToken).ConfigureAwait(false);
        response.Dispose();
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
