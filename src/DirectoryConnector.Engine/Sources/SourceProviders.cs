using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sync;

namespace DirectoryConnector.Engine.Sources;

/// <summary>The registered source providers: every host dispatches on spec.source through them (validation, the
/// Secrets and ConfigMaps a spec reads, relative paths, building the source).</summary>
public sealed class SourceProviders
{
    private readonly IReadOnlyList<ISourceProvider> _providers;

    /// <summary>Throws when a <see cref="SourceSpec"/> property has no provider or two providers claim one kind:
    /// a source is its spec property plus its registration, and one without the other is a programming error.</summary>
    public SourceProviders(IEnumerable<ISourceProvider> providers)
    {
        ArgumentNullException.ThrowIfNull(providers);
        _providers = [.. providers.OrderBy(p => IndexOf(p.Kind))];
        var duplicate = _providers.GroupBy(p => p.Kind, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Two source providers are registered for spec.source.{duplicate.Key}.");
        }

        var missing = SourceSpec.Kinds.Except(_providers.Select(p => p.Kind), StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"No source provider is registered for spec.source.{string.Join(", spec.source.", missing)}: call AddSourceProvider for it.");
        }
    }

    public IReadOnlyList<ISourceProvider> All => _providers;

    /// <summary>The provider of the one source <paramref name="source"/> sets; null when none or several are set.</summary>
    public ISourceProvider? For(SourceSpec? source)
    {
        if (source is null)
        {
            return null;
        }

        var set = _providers.Where(p => p.IsSetIn(source)).ToList();
        return set.Count == 1 ? set[0] : null;
    }

    /// <summary>Adds the problems of spec.source and spec.filters: exactly one source, then that source's own rules.
    /// The insecure settings the source opted into go to <paramref name="insecure"/> (see <see cref="SourceValidation.Insecure"/>).</summary>
    public void Validate(SourceSpec? source, FiltersSpec? filters, SyncOptionsSpec? sync, ICollection<SpecError> errors, ICollection<SpecError>? insecure = null, bool allowInsecureHttp = false)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var choices = string.Join(" or ", _providers.Select(p => p.Kind));
        if (source is null)
        {
            errors.Add(new("spec.source", $"is required: set exactly one source ({choices})"));
            return;
        }

        var set = _providers.Where(p => p.IsSetIn(source)).ToList();
        switch (set.Count)
        {
            case 0:
                errors.Add(new("spec.source", $"no source is set: set exactly one of {choices}"));
                return;
            case > 1:
                errors.Add(new("spec.source", $"several sources are set ({string.Join(", ", set.Select(p => p.Kind))}): set exactly one"));
                break;
        }

        var validation = new SourceValidation(filters ?? new FiltersSpec(), sync ?? new SyncOptionsSpec(), errors, insecure, allowInsecureHttp);
        foreach (var provider in set)
        {
            provider.Validate(source, validation);
        }
    }

    /// <summary>Every Secret and ConfigMap the spec reads (the API key, the source's credentials and data).</summary>
    public IReadOnlyList<SpecObjectReference> References(DirectorySyncSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var references = new List<SpecObjectReference>(SpecObjectReference.FindIn(spec.Bitwarden));
        if (spec.Source is { } source)
        {
            foreach (var provider in _providers)
            {
                references.AddRange(provider.References(source));
            }
        }

        return [.. references.Distinct()];
    }

    /// <summary>CLI: makes the source's manifest-relative paths absolute.</summary>
    public void ResolveRelativePaths(SourceSpec? source, string manifestFolder)
    {
        if (source is not null)
        {
            For(source)?.ResolveRelativePaths(source, manifestFolder);
        }
    }

    /// <summary>Builds the source the spec names. Throws SyncFailedException: InvalidSpec naming the field when no
    /// source or several are set, SecretNotFound when a referenced Secret is missing.</summary>
    public Task<IDirectorySource> CreateAsync(DirectorySyncSpec spec, IReferenceResolver references, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(references);
        var errors = new List<SpecError>();
        Validate(spec.Source, spec.Filters, spec.Sync, errors, allowInsecureHttp: spec.AllowInsecureHttp);
        if (errors.Count > 0)
        {
            throw new SyncFailedException(SyncFailureReason.InvalidSpec, string.Join("; ", errors), retryable: false);
        }

        return For(spec.Source)!.CreateAsync(new SourceContext(spec, references), cancellationToken);
    }

    private static int IndexOf(string kind)
    {
        var index = SourceSpec.Kinds.ToList().IndexOf(kind);
        return index < 0 ? int.MaxValue : index;
    }
}
