using DirectoryConnector.Engine.Http;
using DirectoryConnector.Engine.Sources.Filters;
using DirectoryConnector.Engine.Sync;
using Microsoft.Extensions.Logging;

namespace DirectoryConnector.Engine.Sources.GoogleWorkspace;

/// <summary>spec.source.googleWorkspace: Google Workspace through the Admin SDK Directory API v1 with a service account
/// and domain-wide delegation. Filters are the original connector's include:/exclude: sets, optionally followed by
/// "| &lt;Directory API query&gt;" (bwdc-behaviour.md §3.3).</summary>
public sealed class GoogleWorkspaceSourceProvider(DirectoryHttpClientFactory httpClients, ILoggerFactory loggerFactory) : SourceProvider<GoogleWorkspaceSourceSpec>
{
    protected override SourceFilterSyntax UsersFilterSyntax => SourceFilterSyntax.IncludeExcludeWithQuery;

    protected override void Validate(GoogleWorkspaceSourceSpec spec, SourceValidation validation)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(validation);
        if (validation.RequireText(spec.AdminUser, $"{Path}.adminUser") && !spec.AdminUser.Contains('@', StringComparison.Ordinal))
        {
            validation.Error($"{Path}.adminUser", $"\"{spec.AdminUser}\" is not an email address: give the administrator's primary email, e.g. admin@example.com");
        }

        validation.RequireSecretRef(spec.ServiceAccountKeySecretRef, $"{Path}.serviceAccountKeySecretRef", "the service account's JSON key");
        validation.OptionalSecretRef(spec.CaSecretRef, $"{Path}.caSecretRef");
        validation.RequireHttpsUrl(spec.TokenUrl, $"{Path}.tokenUrl", required: false);
        validation.RequireHttpsUrl(spec.ApiUrl, $"{Path}.apiUrl", required: false);
    }

    protected override async Task<IDirectorySource> CreateAsync(GoogleWorkspaceSourceSpec spec, SourceContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(context);
        var keyRef = spec.ServiceAccountKeySecretRef;
        var key = await context.GetSecretAsync(keyRef, $"{Path}.serviceAccountKeySecretRef", cancellationToken).ConfigureAwait(false);
        var caPem = spec.CaSecretRef is null
            ? null
            : await context.GetSecretAsync(spec.CaSecretRef, $"{Path}.caSecretRef", cancellationToken).ConfigureAwait(false);
        var client = httpClients.Create<GoogleDirectoryClient>(caPem, spec.CaSecretRef, $"{Path}.caSecretRef");

        return GoogleWorkspaceSource.Create(spec, key, $"key {keyRef.Key} of Secret {keyRef.Name}",
            context.UsersFilter, context.GroupsFilter,
            context.Spec.Sync.RemoveDisabled, client, loggerFactory.CreateLogger<GoogleWorkspaceSource>());
    }
}
