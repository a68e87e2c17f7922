using DirectoryConnector.Engine.Http;
using DirectoryConnector.Engine.Sources.Filters;
using DirectoryConnector.Engine.Sync;
using Microsoft.Extensions.Logging;

namespace DirectoryConnector.Engine.Sources.OneLogin;

/// <summary>spec.source.oneLogin: OneLogin users, and roles as groups, through the v2 API. Filters as the original
/// connector: <c>include:a,b | query</c> / <c>exclude:a,b | query</c>, the query being a OneLogin query string.</summary>
public sealed class OneLoginSourceProvider(DirectoryHttpClientFactory httpClients, ILoggerFactory loggerFactory) : SourceProvider<OneLoginSourceSpec>
{
    protected override SourceFilterSyntax UsersFilterSyntax => SourceFilterSyntax.IncludeExcludeWithQuery;

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
        validation.RequireEmailSuffix(spec.UseEmailPrefixSuffix, spec.EmailSuffix, $"{Path}.emailSuffix");
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

        var options = new OneLoginSourceOptions(context.UsersFilter, context.GroupsFilter, spec.UseEmailPrefixSuffix, spec.EmailSuffix?.Trim(), context.Spec.Sync.RemoveDisabled);
        var connection = new OneLoginConnection(spec.BaseUrl(), spec.ClientId.Trim(), secret.Trim(), Path);
        return new OneLoginSource(client, connection, options, loggerFactory.CreateLogger<OneLoginSource>());
    }
}
