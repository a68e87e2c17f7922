namespace DirectoryConnector.Engine.Sources;

/// <summary>A user as read from the directory.</summary>
/// <param name="ReferenceId">Canonical key by which groups refer to this user (a canonical DN for LDAP, an object id for SaaS).</param>
/// <param name="ExternalId">The identity Bitwarden stores (objectGUID, DN, entryUUID, object id).</param>
/// <param name="Email">The raw email as read; the planner trims and lowercases it. Null when the entry has none.</param>
/// <param name="Disabled">The account is disabled in the directory.</param>
/// <param name="Deleted">The account is deleted (tombstone, deprovisioned); only read when the sync asks for deleted users.</param>
/// <param name="DisplayName">How reports name this entry: the DN as the server wrote it, or the object id.</param>
public sealed record DirectoryUser(
    string ReferenceId,
    string ExternalId,
    string? Email,
    bool Disabled,
    bool Deleted,
    string DisplayName)
{
    /// <summary>Where <see cref="Email"/> came from, in the source's terms (the attribute "mail", or
    /// "uid + emailSuffix" when built), so a report on an unusable address names what to fix. Null when unknown.</summary>
    public string? EmailOrigin { get; init; }
}
