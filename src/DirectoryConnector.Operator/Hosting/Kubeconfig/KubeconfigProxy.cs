using System.Net;
using k8s.Exceptions;

namespace DirectoryConnector.Operator.Hosting.Kubeconfig;

/// <summary>
/// A cluster's proxy-url as client-go takes it (k8s.io/client-go/tools/clientcmd/helpers.go, parseProxyURL: http,
/// https or socks5; client_config.go puts it in the transport's Proxy for every request to that cluster), as a
/// <see cref="WebProxy"/> for the API client's SocketsHttpHandler, which speaks all three. User and password in the URL
/// become the proxy's credentials (Basic for http(s), RFC 1929 for socks5).
/// </summary>
internal static class KubeconfigProxy
{
    public static WebProxy Parse(string proxyUrl, string field)
    {
        if (!Uri.TryCreate(proxyUrl, UriKind.Absolute, out var uri))
        {
            throw new KubeConfigException($"{field}: could not parse {Redacted(proxyUrl)} as a URL.");
        }

        if (uri.Scheme is not ("http" or "https" or "socks5"))
        {
            throw new KubeConfigException($"{field}: unsupported scheme \"{uri.Scheme}\", must be http, https, or socks5.");
        }

        if (string.IsNullOrEmpty(uri.Host))
        {
            throw new KubeConfigException($"{field}: {Redacted(proxyUrl)} names no proxy host.");
        }

        var proxy = new WebProxy(new UriBuilder(uri) { UserName = "", Password = "" }.Uri) { BypassProxyOnLocal = false };
        if (uri.UserInfo.Length > 0)
        {
            var (user, password) = uri.UserInfo.IndexOf(':', StringComparison.Ordinal) is var colon and >= 0
                ? (uri.UserInfo[..colon], uri.UserInfo[(colon + 1)..])
                : (uri.UserInfo, "");
            proxy.Credentials = new NetworkCredential(Uri.UnescapeDataString(user), Uri.UnescapeDataString(password));
        }

        return proxy;
    }

    // A URL that does not parse may still hold a password: only what precedes "://" and the length are shown.
    private static string Redacted(string text) =>
        text.Contains('@', StringComparison.Ordinal) ? $"the value ({text.Length} characters, with credentials)" : $"\"{text}\"";
}
