using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources.File;
using DirectoryConnector.Engine.Sources.Ldap;
using DirectoryConnector.Engine.Sync;
using Microsoft.Extensions.Logging;

namespace DirectoryConnector.Engine.Sources;

/// <summary>Builds the source a spec names, resolving its Secrets.</summary>
public sealed class DirectorySourceFactory(ILoggerFactory loggerFactory)
{
    /// <summary>Throws SyncFailedException(InvalidSpec) naming the field when no source or several are set,
    /// SecretNotFound when a referenced Secret is missing.</summary>
    public async Task<IDirectorySource> CreateAsync(DirectorySyncSpec spec, IReferenceResolver references, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(references);
        var source = spec.Source ?? throw Invalid("spec.source is required: set exactly one of ldap, file.");
        switch (source.Kind)
        {
            case "ldap":
                var ldap = source.Ldap!;
                if (string.IsNullOrWhiteSpace(ldap.PasswordSecretRef?.Name) || string.IsNullOrWhiteSpace(ldap.PasswordSecretRef.Key))
                {
                    throw Invalid("spec.source.ldap.passwordSecretRef needs a name and a key.");
                }

                var password = await references.GetSecretValueAsync(ldap.PasswordSecretRef.Name, ldap.PasswordSecretRef.Key, cancellationToken).ConfigureAwait(false);
                string? caPem = null;
                if (ldap.CaSecretRef is { } caRef)
                {
                    if (string.IsNullOrWhiteSpace(caRef.Name) || string.IsNullOrWhiteSpace(caRef.Key))
                    {
                        throw Invalid("spec.source.ldap.caSecretRef needs a name and a key.");
                    }

                    caPem = await references.GetSecretValueAsync(caRef.Name, caRef.Key, cancellationToken).ConfigureAwait(false);
                }

                return LdapSource.Create(ldap, spec.Filters, password, caPem, loggerFactory.CreateLogger<LdapSource>());
            case "file":
                if (!string.IsNullOrWhiteSpace(spec.Filters?.Users) || !string.IsNullOrWhiteSpace(spec.Filters?.Groups))
                {
                    throw Invalid("spec.filters apply to LDAP sources only; a file source syncs every entry of the file.");
                }

                return FileSource.Create(source.File!, references, loggerFactory.CreateLogger<FileSource>());
            default:
                var set = new[] { source.Ldap is null ? null : "ldap", source.File is null ? null : "file" }.OfType<string>().ToList();
                throw Invalid(set.Count == 0
                    ? "spec.source sets no source: set exactly one of ldap, file."
                    : $"spec.source sets {string.Join(" and ", set)}: set exactly one.");
        }
    }

    private static SyncFailedException Invalid(string message) => new(SyncFailureReason.InvalidSpec, message, retryable: false);
}
