using DirectoryConnector.Engine.Http;
using DirectoryConnector.Engine.Sources.Filters;
using DirectoryConnector.Engine.Sync;
using Microsoft.Extensions.Logging;

namespace DirectoryConnector.Engine.Sources.Okta;

/// <summary>spec.source.okta: an Okta org. Filters: <c>include:</c>/<c>exclude:</c> (emails, group names; case-insensitive)
/// optionally followed by <c>| &lt;Okta expression&gt;</c>, sent as filter= when Okta's filter supports it, else search=.</summary>
public sealed class OktaSourceProvider(ILoggerFactory loggerFactory, DirectoryHttpClientFactory httpClients, TimeProvider time, OktaDpopNonceCache nonces, OktaAccessTokenCache tokens) : SourceProvider<OktaSourceSpec>
{
    protected override SourceFilterSyntax UsersFilterSyntax => SourceFilterSyntax.IncludeExcludeWithQuery;

    protected override void Validate(OktaSourceSpec spec, SourceValidation validation)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(validation);
        if (validation.RequireHttpsUrl(spec.OrgUrl, $"{Path}.orgUrl", example: "https://example.okta.com") is { } orgUrl)
        {
            if (orgUrl.Host.Split('.')[0].EndsWith("-admin", StringComparison.OrdinalIgnoreCase))
            {
                validation.Error($"{Path}.orgUrl", $"\"{spec.OrgUrl}\" is the Admin Console URL; use the org URL without -admin (e.g. https://example.okta.com)");
            }
            else if (orgUrl.AbsolutePath.Contains("/api/", StringComparison.OrdinalIgnoreCase) || orgUrl.AbsolutePath.Contains("/oauth2", StringComparison.OrdinalIgnoreCase))
            {
                validation.Error($"{Path}.orgUrl", $"\"{spec.OrgUrl}\" includes an API path; give the org URL only (e.g. https://example.okta.com)");
            }
        }

        validation.OptionalSecretRef(spec.TokenSecretRef, $"{Path}.tokenSecretRef");
        if (spec.OAuth is { } oauth)
        {
            validation.RequireText(oauth.ClientId, $"{Path}.oauth.clientId");
            validation.RequireSecretRef(oauth.PrivateKeySecretRef, $"{Path}.oauth.privateKeySecretRef", "the service app's private key (JWK or PEM)");
        }

        validation.OptionalSecretRef(spec.CaSecretRef, $"{Path}.caSecretRef");
    }

    protected override async Task<IDirectorySource> CreateAsync(OktaSourceSpec spec, SourceContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(context);
        var orgUrl = new Uri(spec.OrgUrl.Trim().TrimEnd('/') + "/");
        var caPem = spec.CaSecretRef is null ? null : await context.GetSecretAsync(spec.CaSecretRef, $"{Path}.caSecretRef", cancellationToken).ConfigureAwait(false);
        IOktaCredential credential;
        string credentialField;
        if (spec.OAuth is { } oauth)
        {
            credentialField = "oauth";
            var key = await context.GetSecretAsync(oauth.PrivateKeySecretRef, $"{Path}.oauth.privateKeySecretRef", cancellationToken).ConfigureAwait(false);
            Microsoft.IdentityModel.Tokens.SigningCredentials signing;
            try
            {
                signing = OktaServiceApp.SigningCredentialsFrom(key, string.IsNullOrWhiteSpace(oauth.KeyId) ? null : oauth.KeyId.Trim());
            }
            catch (FormatException error)
            {
                throw new SyncFailedException(SyncFailureReason.InvalidSpec,
                    $"{Path}.oauth.privateKeySecretRef: the Secret key {oauth.PrivateKeySecretRef.Name}/{oauth.PrivateKeySecretRef.Key} is not a usable private key: {error.Message}", retryable: false);
            }

            credential = new OktaServiceApp(new Uri(orgUrl, "oauth2/v1/token"), oauth.ClientId.Trim(), signing, time, nonces, tokens);
        }
        else
        {
            credentialField = "tokenSecretRef";
            credential = new OktaApiToken(await context.GetSecretAsync(spec.TokenSecretRef, $"{Path}.tokenSecretRef", cancellationToken).ConfigureAwait(false));
        }

        var (users, groups) = (context.UsersFilter, context.GroupsFilter);
        var settings = new OktaReadSettings(orgUrl, credential, credentialField,
            users.Query, users.Keeps, groups.Query, groups.Keeps, GroupSetFilter: groups.Keyword is not null,
            context.Spec.Sync.RemoveDisabled, spec.IncludeUnactivatedUsers);
        var client = httpClients.Create<OktaClient>(caPem, spec.CaSecretRef, $"{Path}.caSecretRef");
        return new OktaSource(client, settings, loggerFactory.CreateLogger<OktaSource>());
    }
}
