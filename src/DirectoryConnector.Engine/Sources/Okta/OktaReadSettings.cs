namespace DirectoryConnector.Engine.Sources.Okta;

/// <summary>What one Okta source reads, resolved from the spec, its filters and its Secrets.</summary>
/// <param name="OrgUrl">The org URL as written: scheme, host and port are honoured.</param>
/// <param name="Credential">The API token or the service app.</param>
/// <param name="CredentialField">The spec field to fix when Okta rejects the credential (tokenSecretRef or oauth).</param>
/// <param name="UserExpression">The Okta expression after "|" in spec.filters.users, or null.</param>
/// <param name="KeepUser">The include:/exclude: clause of spec.filters.users applied to an email.</param>
/// <param name="GroupExpression">The Okta expression after "|" in spec.filters.groups, or null.</param>
/// <param name="KeepGroup">The include:/exclude: clause of spec.filters.groups applied to a group name.</param>
/// <param name="GroupSetFilter">spec.filters.groups has an include:/exclude: clause: as the original connector does, users
/// are then kept only when they are a direct member of a kept group (or deleted, or disabled with removeDisabled).</param>
/// <param name="RemoveDisabled">spec.sync.removeDisabled.</param>
/// <param name="IncludeUnactivatedUsers">Also invite STAGED and PROVISIONED users (never activated).</param>
public sealed record OktaReadSettings(
    Uri OrgUrl,
    IOktaCredential Credential,
    string CredentialField,
    string? UserExpression,
    Func<string?, bool> KeepUser,
    string? GroupExpression,
    Func<string?, bool> KeepGroup,
    bool GroupSetFilter,
    bool RemoveDisabled,
    bool IncludeUnactivatedUsers);
