using System.Security.Authentication;

namespace DirectoryConnector.Engine.Http;

/// <summary>
/// Innermost handler, once per try: holds the request while a rate-limit pause lasts, counts the try, reads the body
/// within the try's timeout (so a policy may inspect it and a stalled body is retried), records the policy's pause
/// and turns a TLS failure into <see cref="HttpTlsException"/>.
/// </summary>
internal sealed class DirectoryHttpAttemptHandler(string client, HttpRateLimitPolicy policy, HttpPauseGates gates, TimeProvider time,
    TlsCertificateCheck certificates) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var url = request.RequestUri!;
        var wait = gates.WaitFor(client, url, time.GetUtcNow());
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
        }

        if (HttpRetryOutcome.Of(request) is { } outcome)
        {
            outcome.Attempts++;
        }

        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException exception) when (IsTls(exception))
        {
            throw HttpTlsException.Create(url, certificates.RefusalFor(url.IdnHost), certificates.CustomTrust, exception);
        }

        try
        {
            await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            response.Dispose();
            throw;
        }

        if (policy.PauseBeforeNext(response, time.GetUtcNow()) is { } pause && pause > TimeSpan.Zero)
        {
            gates.Pause(client, url, time.GetUtcNow() + pause);
        }

        return response;
    }

    private static bool IsTls(HttpRequestException exception) =>
        exception.HttpRequestError == HttpRequestError.SecureConnectionError || exception.InnerException is AuthenticationException;
}
