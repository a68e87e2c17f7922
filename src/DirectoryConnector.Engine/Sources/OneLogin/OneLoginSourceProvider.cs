using DirectoryConnector.Engine.Http;
using DirectoryConnector.Engine.Sources.Filters;
using DirectoryConnector.Engine.Sync;
using Microsoft.Extensions.Logging;

namespace DirectoryConnector.Engine.Sources.OneLogin;

/// <summary>spec.source.oneLogin: OneLogin users, and roles as groups, through the v2 API. Filters as the original
/// connector: <c>include:a,b | query</c> / <c>exclude:a,b | query</c>, the query being a OneLogin query string.</summary>
public sealed class OneLoginSourceProvider(DirectoryHttpClientFactory httpClients, ILoggerFactory loggerFactory) : SourceProvider<OneLoginSourceSpec>
{
    protected override void Validate(OneLoginSourceSpec spec, SourceValidation validation)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(validation);
        if (spec.Region is not ("us" or "eu"))
        {
            validation.Error($"{Path}.region", $"\"{spec.Region}\" is not a OneLogin region: use us or eu, or set apiUrl");
        }

        validation.RequireHttpsUrl(spec.ApiUrl, $"{Path}.apiUrl", required: false);
        validation.RequireText(spec.ClientId, $"{Path}.clientId");
        validation.RequireSecretRef(spec.ClientSecretRef, $"{Path}.clientSecretRef", "the API credential's client secret");
        validation.OptionalSecretRef(spec.CaSecretRef, $"{Path}.caSecretRef");
        if (spec.UseEmailPrefixSuffix && string.IsNullOrWhiteSpace(spec.EmailSuffix))
        {
            validation.Error($"{Path}.emailSuffix", "is required when useEmailPrefixSuffix is true, e.g. \"@example.com\"");
        }

        SourceFilter.Parse(validation.Filters.Users, SourceValidation.UsersFilterPath, SourceFilterSyntax.IncludeExcludeWithQuery, validation);
        SourceFilter.Parse(validation.Filters.Groups, SourceValidation.GroupsFilterPath, SourceFilterSyntax.IncludeExcludeWithQuery, validation);
    }

    protected override async Task<IDirectorySource> CreateAsync(OneLoginSourceSpec spec, SourceContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(context);
        var secret = await context.GetSecretAsync(spec.ClientSecretRef, $"{Path}.clientSecretRef", cancellationToken).ConfigureAwait(false);
        var caPem = spec.CaSecretRef is null
            ? null
            : await context.GetSecretAsync(spec.CaSecretRef, $"{Path}.caSecretRef", cancellationToken).ConfigureAwait(false);
        var client = httpClients.Create<OneLoginClient>(caPem, spec.CaSecretRef, $"{Path}.caSecretRef");

        var options = new OneLoginSourceOptions(
            SourceFilter.ParseValidated(context.Filters.Users, SourceValidation.UsersFilterPath, SourceFilterSyntax.IncludeExcludeWithQuery),
            SourceFilter.ParseValidated(context.Filters.Groups, SourceValidation.GroupsFilterPath, SourceFilterSyntax.IncludeExcludeWithQuery), spec.UseEmailPrefixSuffix, spec.EmailSuffix, context.Spec.Sync.RemoveDisabled);
        var connection = new OneLoginConnection(spec.BaseUrl(), spec.ClientId.Trim(), secret.Trim(), Path);
        return new OneLoginSource(client, connection, options, loggerFactory.CreateLogger<OneLoginSource>());
    }
}
