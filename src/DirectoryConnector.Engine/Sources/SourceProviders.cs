using DirectoryConnector.Engine.Configuration;

namespace DirectoryConnector.Engine.Sources;

/// <summary>The registered source providers: every host dispatches on spec.source through them (validation, relative
/// paths, building the source).</summary>
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

    /// <summary>Adds the problems of the sources <paramref name="source"/> sets and of spec.filters to
    /// <paramref name="validation"/>; returns the provider when exactly one source is set. That exactly one is set is
    /// SourceSpec's [ExactlyOneOf] rule, which the spec validator enforces.</summary>
    public ISourceProvider? Validate(SourceSpec source, SourceValidation validation)
    {
        ArgumentNullException.ThrowIfNull(source);
        foreach (var provider in _providers.Where(p => p.IsSetIn(source)))
        {
            provider.Validate(source, validation);
        }

        return For(source);
    }

    /// <summary>CLI: makes the source's manifest-relative paths absolute.</summary>
    public void ResolveRelativePaths(SourceSpec? source, string manifestFolder)
    {
        if (source is not null)
        {
            For(source)?.ResolveRelativePaths(source, manifestFolder);
        }
    }

    private static int IndexOf(string kind)
    {
        var index = SourceSpec.Kinds.ToList().IndexOf(kind);
        return index < 0 ? int.MaxValue : index;
    }
}
