using DirectoryConnector.Engine.Http;
using DirectoryConnector.Engine.Sources.Filters;
using Microsoft.Extensions.Logging;

namespace DirectoryConnector.Engine.Sources.EntraId;

/// <summary>spec.source.entraId: Microsoft Entra ID through Microsoft Graph with delta queries. Filters: the original
/// connector's Entra syntax (<see cref="EntraIdFilter"/>).</summary>
public sealed class EntraIdSourceProvider(DirectoryHttpClientFactory httpClients, ILoggerFactory loggerFactory) : SourceProvider<EntraIdSourceSpec>
{
    protected override SourceFilterSyntax UsersFilterSyntax => EntraIdFilter.UsersSyntax;

    protected override SourceFilterSyntax GroupsFilterSyntax => EntraIdFilter.GroupsSyntax;

    protected override void Validate(EntraIdSourceSpec spec, SourceValidation validation)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(validation);
        validation.RequireText(spec.Tenant, $"{Path}.tenant");
        validation.RequireText(spec.ApplicationId, $"{Path}.applicationId");
        validation.OptionalSecretRef(spec.ClientSecretRef, $"{Path}.clientSecretRef");
        validation.OptionalSecretRef(spec.ClientCertificateSecretRef, $"{Path}.clientCertificateSecretRef");
        validation.OptionalSecretRef(spec.CaSecretRef, $"{Path}.caSecretRef");
        validation.RequireHttpsUrl(spec.AuthorityHost, $"{Path}.authorityHost", required: false);
        validation.RequireHttpsUrl(spec.GraphUrl, $"{Path}.graphUrl", required: false);
        EntraIdFilter.Validate(validation);
    }

    protected override async Task<IDirectorySource> CreateAsync(EntraIdSourceSpec spec, SourceContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(context);
        var secret = spec.ClientSecretRef is null ? null : await context.GetSecretAsync(spec.ClientSecretRef, $"{Path}.clientSecretRef", cancellationToken).ConfigureAwait(false);
        var certificate = spec.ClientCertificateSecretRef is null ? null : await context.GetSecretAsync(spec.ClientCertificateSecretRef, $"{Path}.clientCertificateSecretRef", cancellationToken).ConfigureAwait(false);
        var ca = spec.CaSecretRef is null ? null : await context.GetSecretAsync(spec.CaSecretRef, $"{Path}.caSecretRef", cancellationToken).ConfigureAwait(false);
        return EntraIdSourceFactory.Create(spec, EntraIdFilter.From(context.UsersFilter, context.GroupsFilter), secret, certificate, ca, httpClients, loggerFactory);
    }
}
