using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace DirectoryConnector.Engine.Http;

/// <summary>
/// The server-certificate check of one primary handler: the default decision (accept only when SslStream found no
/// error), plus a note of why the last certificate of each host was refused, so the error can name the real cause
/// instead of AuthenticationException's generic text.
/// </summary>
internal sealed class TlsCertificateCheck(bool customTrust)
{
    private readonly ConcurrentDictionary<string, TlsRefusal> refusals = new(StringComparer.OrdinalIgnoreCase);

    public bool CustomTrust => customTrust;

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        var host = (sender as SslStream)?.TargetHostName ?? "";
        refusals[host] = TlsRefusal.From(certificate, chain, errors);
        return false;
    }

    public TlsRefusal? RefusalFor(string host) => refusals.TryGetValue(host, out var refusal) ? refusal : null;
}
