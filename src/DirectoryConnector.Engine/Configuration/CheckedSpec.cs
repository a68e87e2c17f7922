using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.Filters;
using DirectoryConnector.Engine.Sync;

namespace DirectoryConnector.Engine.Configuration;

/// <summary>A spec as <see cref="SpecValidator.Check"/> found it, once per sync: its problems, the settings weakening
/// transport security it opted into, and what validation parsed (the source's provider and filters), handed on to
/// building the source and to the engine so nothing is checked or parsed twice.</summary>
public sealed class CheckedSpec
{
    internal CheckedSpec(DirectorySyncSpec spec, IReadOnlyList<SpecError> errors, IReadOnlyList<SpecError> insecure, ISourceProvider? provider, SourceValidation validation)
    {
        Spec = spec;
        Errors = errors;
        Insecure = insecure;
        Provider = provider;
        UsersFilter = validation.UsersFilter ?? SourceFilter.None;
        GroupsFilter = validation.GroupsFilter ?? SourceFilter.None;
    }

    public DirectorySyncSpec Spec { get; }

    /// <summary>Every problem, each naming its field; empty when the spec is valid.</summary>
    public IReadOnlyList<SpecError> Errors { get; }

    /// <summary>http:// to a host other than loopback (spec.allowInsecureHttp) and skipped certificate checks
    /// (insecureSkipVerify), each naming its field: the operator shows them as the InsecureTransport condition, the
    /// CLI as warnings.</summary>
    public IReadOnlyList<SpecError> Insecure { get; }

    /// <summary>spec.filters.users parsed with the source's filter syntax (<see cref="SourceFilter.None"/> when it has none).</summary>
    public SourceFilter UsersFilter { get; }

    /// <summary>spec.filters.groups, as <see cref="UsersFilter"/>.</summary>
    public SourceFilter GroupsFilter { get; }

    /// <summary>The provider of the one source the spec sets; null when the spec is invalid that way.</summary>
    internal ISourceProvider? Provider { get; }

    /// <summary>Builds the spec's source with the filters its validation parsed. Throws SyncFailedException: InvalidSpec
    /// listing the spec's problems, SecretNotFound when a referenced Secret is missing.</summary>
    public Task<IDirectorySource> CreateSourceAsync(IReferenceResolver references, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(references);
        ThrowIfInvalid();
        return Provider!.CreateAsync(new SourceContext(this, references), cancellationToken);
    }

    /// <summary>Throws SyncFailedException(InvalidSpec, not retryable) listing every problem; returns the spec otherwise.</summary>
    public DirectorySyncSpec ThrowIfInvalid() => Errors.Count == 0
        ? Spec
        : throw new SyncFailedException(SyncFailureReason.InvalidSpec, string.Join("; ", Errors), retryable: false);
}
