using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;

namespace DirectoryConnector.Operator.Reconciliation;

/// <summary>The Secrets and ConfigMaps a spec reads, as "secret/name" and "configmap/name" (always in the
/// DirectorySync's namespace), from the registered source providers.</summary>
public sealed class SpecReferences(SourceProviders providers)
{
    public const string SecretKind = "secret";
    public const string ConfigMapKind = "configmap";

    public static string Reference(string kind, string name) => $"{kind}/{name}";

    /// <summary>The settings weakening transport security the spec opted into (<see cref="SpecValidator.InsecureSettings"/>).</summary>
    public IReadOnlyList<SpecError> InsecureSettings(DirectorySyncSpec spec) => new SpecValidator(providers).InsecureSettings(spec);

    public IReadOnlySet<string> Of(DirectorySyncSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return providers.References(spec)
            .Select(r => Reference(r.Kind == SpecObjectKind.Secret ? SecretKind : ConfigMapKind, r.Name))
            .ToHashSet(StringComparer.Ordinal);
    }
}
