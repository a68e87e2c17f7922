using System.Globalization;

namespace DirectoryConnector.Engine.Http;

/// <summary>
/// The TLS handshake with a server failed. Never retried: the certificate will be the same on the next try. The message
/// names the URL, the real cause (untrusted chain, name mismatch, expired) and how to fix it; <see cref="Describe"/>
/// names the exact caSecretRef field of the caller's spec.
/// </summary>
public sealed class HttpTlsException : HttpRequestException
{
    private const string FieldPlaceholder = "caSecretRef";

    internal HttpTlsException(Uri url, TlsFailureCause cause, string message, Exception inner)
        : base(HttpRequestError.SecureConnectionError, message, inner)
    {
        Url = url;
        Cause = cause;
    }

    /// <summary>The URL of the request (path included, no query).</summary>
    public Uri Url { get; }

    public TlsFailureCause Cause { get; }

    /// <summary>The message with "caSecretRef" spelled as the caller's field, e.g. "spec.bitwarden.caSecretRef".</summary>
    public string Describe(string caSecretRefField) =>
        Message.Replace(FieldPlaceholder, caSecretRefField, StringComparison.Ordinal);

    internal static HttpTlsException Create(Uri requestUri, TlsRefusal? refusal, bool customTrust, HttpRequestException inner)
    {
        var url = new Uri(requestUri.GetLeftPart(UriPartial.Path));
        if (refusal is null || refusal.Cause == TlsFailureCause.Handshake)
        {
            var detail = inner.InnerException?.Message ?? inner.Message;
            return new HttpTlsException(url, TlsFailureCause.Handshake,
                $"The TLS handshake with {url} failed: {detail.TrimEnd('.')}. Check that the URL points at an HTTPS server "
                + "(not plain HTTP) and that the server accepts TLS 1.2 or 1.3.", inner);
        }

        var sentences = new List<string>();
        var certificate = refusal.Subject is { Length: > 0 } subject ? $"'{subject}'" : "the server's certificate";
        var cause = refusal.Cause;
        if (cause.HasFlag(TlsFailureCause.NoCertificate))
        {
            sentences.Add($"{url} sent no TLS certificate.");
        }

        if (cause.HasFlag(TlsFailureCause.Expired))
        {
            sentences.Add($"The TLS certificate of {url} ({certificate}) expired on {Utc(refusal.NotAfter)} (or a CA certificate in its chain did): "
                + $"renew it on the server; {FieldPlaceholder} cannot make an expired certificate valid.");
        }

        if (cause.HasFlag(TlsFailureCause.NotYetValid))
        {
            sentences.Add($"The TLS certificate of {url} ({certificate}) is not valid before {Utc(refusal.NotBefore)}: check the clocks of this "
                + "machine and of the server's CA.");
        }

        if (cause.HasFlag(TlsFailureCause.UntrustedChain))
        {
            var issuer = refusal.Issuer is { Length: > 0 } name ? $"'{name}'" : "its issuer";
            sentences.Add(customTrust
                ? $"The TLS certificate of {url} ({certificate}, issued by {issuer}) does not chain to a CA in the bundle from {FieldPlaceholder}: "
                  + "put the PEM certificates of the CA that issued it (its root, and any intermediate CA the server does not send) in that Secret key."
                : $"The TLS certificate of {url} ({certificate}, issued by {issuer}) is not trusted by the system trust store: if the server uses "
                  + "a private or self-signed CA, put the PEM certificates of that CA (its root, and any intermediate CA the server does not send) "
                  + $"in a Secret of the same namespace and name it in {FieldPlaceholder}.");
        }

        if (cause.HasFlag(TlsFailureCause.NameMismatch))
        {
            var names = refusal.Names.Count == 0 ? "no host name" : string.Join(", ", refusal.Names);
            sentences.Add($"The TLS certificate of {url} ({certificate}) is not valid for the host name '{url.IdnHost}': it names {names}. "
                + "Use a URL with a host name the certificate names, or reissue the certificate with this host name as a subject alternative name; "
                + $"{FieldPlaceholder} cannot fix a name mismatch.");
        }

        return new HttpTlsException(url, cause, string.Join(" ", sentences), inner);
    }

    private static string Utc(DateTime? time) => time?.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "an unknown date";
}
