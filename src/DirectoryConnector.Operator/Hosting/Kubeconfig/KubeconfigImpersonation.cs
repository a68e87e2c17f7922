using System.Text;

namespace DirectoryConnector.Operator.Hosting.Kubeconfig;

/// <summary>
/// A kubeconfig user's as, as-uid, as-groups and as-user-extra, which KubernetesClient reads into its model but never
/// sends: the Impersonate-* headers of client-go's impersonatingRoundTripper (k8s.io/client-go/transport/round_trippers.go),
/// extra keys escaped as its headerKeyEscape does.
/// </summary>
internal sealed record KubeconfigImpersonation(string User, string? Uid, IReadOnlyList<string> Groups, IReadOnlyDictionary<string, List<string>> Extra)
{
    public void Apply(HttpRequestMessage request)
    {
        // client-go: a request that already impersonates is left alone.
        if (request.Headers.Contains("Impersonate-User"))
        {
            return;
        }

        request.Headers.TryAddWithoutValidation("Impersonate-User", User);
        if (!string.IsNullOrEmpty(Uid))
        {
            request.Headers.TryAddWithoutValidation("Impersonate-Uid", Uid);
        }

        foreach (var group in Groups)
        {
            request.Headers.TryAddWithoutValidation("Impersonate-Group", group);
        }

        foreach (var (key, values) in Extra)
        {
            foreach (var value in values)
            {
                request.Headers.TryAddWithoutValidation("Impersonate-Extra-" + HeaderKeyEscape(key), value);
            }
        }
    }

    // RFC 7230 token characters stay; every other byte of the UTF-8 key, and '%', is %-encoded.
    private static string HeaderKeyEscape(string key)
    {
        var escaped = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(key))
        {
            var c = (char)b;
            if (b < 128 && c != '%' && (char.IsAsciiLetterOrDigit(c) || "!#$&'*+-.^_`|~".Contains(c, StringComparison.Ordinal)))
            {
                escaped.Append(c);
            }
            else
            {
                escaped.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return escaped.ToString();
    }
}
