using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;

namespace DirectoryConnector.Operator.Reconciliation;

/// <summary>The Secrets and ConfigMaps a spec reads, as "secret/name" and "configmap/name" (always in the
/// DirectorySync's namespace): every Secret and ConfigMap key reference in it (<see cref="SpecObjectReference.FindIn"/>).</summary>
public static class SpecReferences
{
    public const string SecretKind = "secret";
    public const string ConfigMapKind = "configmap";

    public static string Reference(string kind, string name) => $"{kind}/{name}";

    public static IReadOnlySet<string> Of(DirectorySyncSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return SpecObjectReference.FindIn(spec)
            .Select(r => Reference(r.Kind == SpecObjectKind.Secret ? SecretKind : ConfigMapKind, r.Name))
            .ToHashSet(StringComparer.Ordinal);
    }
}
