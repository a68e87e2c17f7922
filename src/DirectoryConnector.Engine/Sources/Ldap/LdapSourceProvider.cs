using DirectoryConnector.Engine.Http;
using Microsoft.Extensions.Logging;

namespace DirectoryConnector.Engine.Sources.Ldap;

/// <summary>spec.source.ldap: an LDAP server or Active Directory domain controller. Filters are raw RFC 4515 filters.</summary>
public sealed class LdapSourceProvider(ILoggerFactory loggerFactory) : SourceProvider<LdapSourceSpec>
{
    protected override void Validate(LdapSourceSpec spec, SourceValidation validation) => EffectiveLdapSpec.Validate(spec, validation);

    protected override async Task<IDirectorySource> CreateAsync(LdapSourceSpec spec, SourceContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(context);
        var password = await context.GetSecretAsync(spec.PasswordSecretRef, $"{Path}.passwordSecretRef", cancellationToken).ConfigureAwait(false);
        var caPem = spec.CaSecretRef is null
            ? null
            : await context.GetSecretAsync(spec.CaSecretRef, $"{Path}.caSecretRef", cancellationToken).ConfigureAwait(false);
        CaBundle.Check(caPem, spec.CaSecretRef, $"{Path}.caSecretRef");
        return LdapSource.Create(spec, context.Filters, password, caPem, loggerFactory.CreateLogger<LdapSource>());
    }
}
