namespace DirectoryConnector.TestSupport.Okta;

/// <summary>A group in the stand-in's org (Okta's Group object). Members of BUILT_IN "Everyone" are every user.</summary>
public sealed class OktaStandInGroup
{
    public required string Id { get; init; }

    /// <summary>OKTA_GROUP, APP_GROUP (imported from an app such as Active Directory) or BUILT_IN (Everyone).</summary>
    public required string Type { get; init; }

    public required string Name { get; set; }

    public string? Description { get; set; }

    public required DateTimeOffset Created { get; init; }

    /// <summary>Changes with the group's profile only, never with its membership.</summary>
    public required DateTimeOffset LastUpdated { get; set; }

    public required DateTimeOffset LastMembershipUpdated { get; set; }

    public HashSet<string> Members { get; } = new(StringComparer.Ordinal);
}
