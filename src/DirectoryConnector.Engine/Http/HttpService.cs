using System.Globalization;
using System.Security.Authentication;
using DirectoryConnector.Engine.Sync;
using Polly.Timeout;

namespace DirectoryConnector.Engine.Http;

/// <summary>
/// A server a spec points at, as failures name it, and the one translation of HTTP transport failures (no HTTP answer:
/// connection refused, DNS, proxy, TLS, timeout) into the <see cref="SyncFailedException"/> users see. Every typed
/// client (the SaaS sources and Bitwarden) uses it; each keeps only the reading of its own vendor's error bodies.
/// </summary>
/// <param name="Name">How the message names the server: "Okta", "Microsoft Graph", "Bitwarden".</param>
/// <param name="UrlField">The spec field(s) that set the URL, named in "check …": "spec.source.okta.orgUrl".</param>
/// <param name="CaSecretRefField">The caSecretRef field a TLS failure names: "spec.source.okta.caSecretRef".</param>
/// <param name="Reason">SourceUnavailable for a directory, BitwardenUnavailable for Bitwarden.</param>
public sealed record HttpService(string Name, string UrlField, string CaSecretRefField, SyncFailureReason Reason = SyncFailureReason.SourceUnavailable)
{
    /// <summary>Sends <paramref name="request"/>; a transport failure throws the translated <see cref="SyncFailedException"/>.
    /// An HTTP answer of any status is returned (its body is the caller's to read).</summary>
    /// <param name="operation">What the request does, for the message: "the token request", "listing users".</param>
    public async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpRequestMessage request, string operation, CancellationToken cancellationToken,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            return await http.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (TransportFailure(exception, operation, request.RequestUri!, cancellationToken, request) is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>
    /// The failure for <paramref name="exception"/> when it (or an exception it wraps) is a transport failure, else null
    /// (the caller's own cancellation included). TLS failures are not retryable (the certificate will be the same on the
    /// next try) and name <see cref="CaSecretRefField"/>; the others are retryable and name <see cref="UrlField"/>.
    /// Messages hold the URL without its query and the exceptions' messages, never a header or a body.
    /// </summary>
    public SyncFailedException? TransportFailure(Exception exception, string operation, Uri url, CancellationToken cancellationToken, HttpRequestMessage? request = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(url);
        if (exception is SyncFailedException || (exception is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            return null;
        }

        var chain = Chain(exception).ToList();
        var at = url.GetLeftPart(UriPartial.Path);
        var attempts = HttpRetryOutcome.Of(request) is { Attempts: > 1 } outcome ? string.Create(CultureInfo.InvariantCulture, $" after {outcome.Attempts} attempts") : "";
        if (chain.OfType<HttpTlsException>().FirstOrDefault() is { } tls)
        {
            return new SyncFailedException(Reason, $"{Name} could not be reached for {operation}: {tls.Describe(CaSecretRefField)}", retryable: false, exception);
        }

        if (chain.OfType<AuthenticationException>().Any())
        {
            return new SyncFailedException(Reason,
                $"The TLS handshake with {Name} at {at} failed for {operation} ({Detail(chain)}): if it (or a TLS-inspecting proxy) uses a private CA, put that CA in "
                + $"{CaSecretRefField}; else check {UrlField}.", retryable: false, exception);
        }

        if (chain.Any(e => e is TimeoutRejectedException or TimeoutException) || (chain[0] is OperationCanceledException && chain.All(e => e is not HttpRequestException)))
        {
            return new SyncFailedException(Reason, $"{Name} at {at} did not answer {operation} in time{attempts} ({Detail(chain)}).", retryable: true, exception);
        }

        if (chain.OfType<HttpRequestException>().Any())
        {
            return new SyncFailedException(Reason,
                $"{Name} at {at} could not be reached for {operation}{attempts}: connection failed ({Detail(chain)}). Check {UrlField}, DNS, the network and the proxy "
                + "(HTTPS_PROXY, NO_PROXY).", retryable: true, exception);
        }

        return null;
    }

    /// <summary>The messages down the chain, "outer: inner", each cause once: wrappers (Azure.Identity's, HttpClient's)
    /// repeat their inner exception's message in their own, and SocketException's is a shorter copy of HttpClient's.</summary>
    private static string Detail(IEnumerable<Exception> chain)
    {
        var kept = new List<string>();
        foreach (var message in chain.Select(e => e.Message.TrimEnd('.')).Where(m => m.Length > 0))
        {
            if (kept.Any(k => k.Contains(message, StringComparison.Ordinal)))
            {
                continue;
            }

            // An outer message that the inner one says in full (and more) adds nothing.
            kept.RemoveAll(k => message.Contains(k, StringComparison.Ordinal));
            kept.Add(message);
        }

        return string.Join(": ", kept);
    }

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            yield return current;
        }
    }
}
