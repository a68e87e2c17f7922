using Polly.Timeout;

namespace DirectoryConnector.Engine.Http;

/// <summary>
/// Outermost handler: gives the request its <see cref="HttpRetryOutcome"/>, and turns a final per-try timeout into an
/// <see cref="HttpRequestException"/> naming the URL, so typed clients handle one exception type for "unreachable".
/// </summary>
internal sealed class DirectoryHttpOutcomeHandler(DirectoryHttpClientOptions options) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var outcome = new HttpRetryOutcome(Math.Max(1, options.MaxAttempts), options.MaxRetryAfter, options.AttemptTimeout);
        request.Options.Set(HttpRetryOutcome.Key, outcome);
        try
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException timeout)
        {
            throw new HttpRequestException(HttpRequestError.Unknown,
                $"{request.RequestUri!.GetLeftPart(UriPartial.Path)} did not answer within {options.AttemptTimeout.TotalSeconds:0.###} s", timeout);
        }
    }
}
