using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace DirectoryConnector.Operator.Reconciliation;

/// <summary>
/// What a sync ran with: the generation, the sync-requested-at annotation and the resourceVersions of the referenced
/// Secrets and ConfigMaps ("-" while missing). Kept in status.syncedRevision; any difference makes a sync due.
/// Rendered as "gen=3;req=1f2e3d4c;secret/api-key=812;configmap/export=-".
/// </summary>
public sealed record SyncRevision(long Generation, string RequestedAt, IReadOnlyDictionary<string, string> References)
{
    public const string Missing = "-";

    /// <summary>The annotation is hashed so an arbitrary value cannot bloat or break the rendering.</summary>
    public static string FingerprintOf(string? annotation)
        => string.IsNullOrEmpty(annotation)
            ? Missing
            : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(annotation)))[..12];

    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"gen={Generation};req={RequestedAt}");
        foreach (var (reference, version) in References.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $";{reference}={version}");
        }

        return text.ToString();
    }

    /// <summary>Parses a rendered revision; null when absent or written by something else.</summary>
    public static SyncRevision? TryParse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        long? generation = null;
        string? requestedAt = null;
        var references = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in text.Split(';'))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                return null;
            }

            var (name, value) = (part[..equals], part[(equals + 1)..]);
            switch (name)
            {
                case "gen" when long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var g):
                    generation = g;
                    break;
                case "req":
                    requestedAt = value;
                    break;
                default:
                    references[name] = value;
                    break;
            }
        }

        return generation is { } gen && requestedAt is not null ? new SyncRevision(gen, requestedAt, references) : null;
    }

    public bool Equals(SyncRevision? other)
        => other is not null && ToString() == other.ToString();

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToString());
}
