using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace DirectoryConnector.Engine.Http;

/// <summary>The CA bundles handed to <see cref="DirectoryHttpClientFactory.Create{TClient}"/>, by the name of the
/// client that trusts them: "{client}/ca-{SHA-256 of the PEM}", so one bundle is one handler and one connection pool.</summary>
internal sealed class PrivateCaRegistry
{
    private const string Separator = "/ca-";
    private readonly ConcurrentDictionary<string, X509Certificate2Collection> bundles = new(StringComparer.Ordinal);

    /// <exception cref="FormatException">The PEM text holds no certificate, or a block that is not one.</exception>
    public string Register(string client, string caPem)
    {
        var name = client + Separator + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(caPem)));
        bundles.GetOrAdd(name, _ => CaBundle.Parse(caPem));
        return name;
    }

    /// <summary>True for a name made by <see cref="Register"/>: its client name and certificates.</summary>
    public bool TryGet(string name, out string client, out X509Certificate2Collection certificates)
    {
        var separator = name.LastIndexOf(Separator, StringComparison.Ordinal);
        client = separator < 0 ? "" : name[..separator];
        return bundles.TryGetValue(name, out certificates!);
    }
}
