using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.Ldap;
using Microsoft.Extensions.Logging.Abstractions;

namespace DirectoryConnector.Engine.Tests.Prune;

/// <summary>An LDAP source spec (slapd or Samba) the prune harness puts into a DirectorySyncSpec, and the real LDAP
/// source reading it with the bind password (and the PEM CA its caSecretRef stands for).</summary>
internal sealed class LdapSpecSource(LdapSourceSpec spec, string password, string? caPem = null) : IDirectorySourceSpec
{
    public LdapSourceSpec Spec { get; } = spec;

    public SourceSpec Source => new() { Ldap = Spec };

    /// <summary>A fresh source, as each sync of the operator creates one.</summary>
    public IDirectorySource Create() => LdapSource.Create(Spec, null, password, caPem, NullLogger<LdapSource>.Instance);
}
