using Microsoft.Extensions.Logging;

namespace DirectoryConnector.Engine.Sources.Ldap;

/// <summary>spec.source.ldap: an LDAP server or Active Directory domain controller. Filters are raw RFC 4515 filters.</summary>
public sealed class LdapSourceProvider(ILoggerFactory loggerFactory) : SourceProvider<LdapSourceSpec>
{
    protected override void Validate(LdapSourceSpec spec, SourceValidation validation)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(validation);
        if (validation.RequireText(spec.Hostname, $"{Path}.hostname") && spec.Hostname.Contains("://", StringComparison.Ordinal))
        {
            validation.Error($"{Path}.hostname", $"\"{spec.Hostname}\" is a URL; give the host name only and set port and encryption");
        }

        if (spec.Port is { } port && port is < 1 or > 65535)
        {
            validation.Error($"{Path}.port", $"{port} is not a port: use 1 to 65535");
        }

        if (spec.Encryption == LdapEncryption.None)
        {
            if (spec.CaSecretRef is not null)
            {
                validation.Error($"{Path}.caSecretRef", "is set but encryption is none: set encryption to ldaps or startTls, or remove caSecretRef");
            }

            if (spec.InsecureSkipVerify)
            {
                validation.Error($"{Path}.insecureSkipVerify", "is true but encryption is none: there is no certificate to verify");
            }
        }
        else if (spec.CaSecretRef is not null && spec.InsecureSkipVerify)
        {
            validation.Error($"{Path}.insecureSkipVerify", "contradicts caSecretRef: a CA to verify with and no verification; remove one");
        }
        else if (spec.InsecureSkipVerify)
        {
            validation.Insecure($"{Path}.insecureSkipVerify", "is true: the LDAP server's certificate is not verified, so anyone on the path can read the bind password; trust its CA with caSecretRef instead");
        }

        validation.OptionalSecretRef(spec.CaSecretRef, $"{Path}.caSecretRef");
        validation.RequireText(spec.RootPath, $"{Path}.rootPath");
        validation.RequireText(spec.Username, $"{Path}.username");
        validation.RequireSecretRef(spec.PasswordSecretRef, $"{Path}.passwordSecretRef", "the bind password");

        if (spec.UseEmailPrefixSuffix && EffectiveLdapSpec.EmailSuffixProblem(spec.EmailSuffix) is { } suffixProblem)
        {
            validation.Error($"{Path}.emailSuffix", suffixProblem);
        }

        // Filters the server would refuse are bad input, named before connecting (RFC 4515 syntax).
        foreach (var (path, filter) in new[] { ("spec.filters.users", validation.Filters.Users), ("spec.filters.groups", validation.Filters.Groups), ($"{Path}.disabledFilter", spec.DisabledFilter) })
        {
            if (EffectiveLdapSpec.FilterProblem(filter) is { } filterProblem)
            {
                validation.Error(path, filterProblem);
            }
        }
    }

    protected override async Task<IDirectorySource> CreateAsync(LdapSourceSpec spec, SourceContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(context);
        var password = await context.GetSecretAsync(spec.PasswordSecretRef, $"{Path}.passwordSecretRef", cancellationToken).ConfigureAwait(false);
        var caPem = spec.CaSecretRef is null
            ? null
            : await context.GetSecretAsync(spec.CaSecretRef, $"{Path}.caSecretRef", cancellationToken).ConfigureAwait(false);
        return LdapSource.Create(spec, context.Filters, password, caPem, loggerFactory.CreateLogger<LdapSource>());
    }
}
