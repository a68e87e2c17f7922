using System.Reflection;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources.Filters;

namespace DirectoryConnector.Engine.Sources;

/// <summary>Base of every source provider: binds the provider to the <see cref="SourceSpec"/> property of type
/// <typeparamref name="TSpec"/>, whose camelCase name is the provider's <see cref="Kind"/>.</summary>
/// <typeparam name="TSpec">The source's spec type, declared in the source's folder.</typeparam>
public abstract class SourceProvider<TSpec> : ISourceProvider
    where TSpec : class
{
    private readonly PropertyInfo _property;

    protected SourceProvider()
    {
        _property = SourceSpec.PropertyFor(typeof(TSpec));
        Kind = SourceSpec.KindOf(_property);
        Path = $"spec.source.{Kind}";
    }

    public string Kind { get; }

    public string Path { get; }

    public bool IsSetIn(SourceSpec source) => SpecOf(source) is not null;

    /// <summary>This provider's spec within <paramref name="source"/>, or null when it is not set.</summary>
    public TSpec? SpecOf(SourceSpec source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return (TSpec?)_property.GetValue(source);
    }

    void ISourceProvider.Validate(SourceSpec source, SourceValidation validation)
    {
        ArgumentNullException.ThrowIfNull(validation);
        if (SpecOf(source) is { } spec)
        {
            // Parsed here once; CreateAsync reads the result from SourceContext.
            if (UsersFilterSyntax is { } users)
            {
                validation.UsersFilter = SourceFilter.Parse(validation.Filters.Users, SourceValidation.UsersFilterPath, users, validation);
            }

            if (GroupsFilterSyntax is { } groups)
            {
                validation.GroupsFilter = SourceFilter.Parse(validation.Filters.Groups, SourceValidation.GroupsFilterPath, groups, validation);
            }

            Validate(spec, validation);
        }
    }

    void ISourceProvider.ResolveRelativePaths(SourceSpec source, string manifestFolder)
    {
        if (SpecOf(source) is { } spec)
        {
            ResolveRelativePaths(spec, manifestFolder);
        }
    }

    Task<IDirectorySource> ISourceProvider.CreateAsync(SourceContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var spec = SpecOf(context.Spec.Source) ?? throw new InvalidOperationException($"{Path} is not set.");
        return CreateAsync(spec, context, cancellationToken);
    }

    /// <summary>The original connector's filter syntax of spec.filters.users for this source, or null when the source
    /// checks spec.filters itself (LDAP's RFC 4515 filters, the file source's none). Parsed before
    /// <see cref="Validate"/> runs (<see cref="SourceValidation.UsersFilter"/>) and handed to <see cref="CreateAsync"/>
    /// (<see cref="SourceContext.UsersFilter"/>).</summary>
    protected virtual SourceFilterSyntax? UsersFilterSyntax => null;

    /// <summary>As <see cref="UsersFilterSyntax"/> for spec.filters.groups; the same syntax unless overridden.</summary>
    protected virtual SourceFilterSyntax? GroupsFilterSyntax => UsersFilterSyntax;

    /// <summary>Checks the spec and spec.filters (<see cref="SourceValidation.Filters"/>, parsed in
    /// <see cref="SourceValidation.UsersFilter"/>); every error names its path (<see cref="Path"/>.field or
    /// spec.filters.users|groups) and what to do. [ExactlyOneOf] on the spec type is enforced by the spec validator.</summary>
    protected abstract void Validate(TSpec spec, SourceValidation validation);

    /// <summary>CLI: makes relative paths in the spec absolute against the manifest's folder. Default: none.</summary>
    protected virtual void ResolveRelativePaths(TSpec spec, string manifestFolder)
    {
    }

    /// <summary>Builds the source; the spec has passed <see cref="Validate"/> and its filters are parsed in <paramref name="context"/>.</summary>
    protected abstract Task<IDirectorySource> CreateAsync(TSpec spec, SourceContext context, CancellationToken cancellationToken);
}
