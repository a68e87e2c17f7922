namespace DirectoryConnector.TestSupport.Okta;

/// <summary>A user in the stand-in's org (Okta's User object: id, status, timestamps, profile).</summary>
public sealed class OktaStandInUser
{
    public required string Id { get; init; }

    /// <summary>STAGED, PROVISIONED, ACTIVE, RECOVERY, PASSWORD_EXPIRED, LOCKED_OUT, SUSPENDED or DEPROVISIONED.</summary>
    public required string Status { get; set; }

    public required DateTimeOffset Created { get; init; }

    public DateTimeOffset? Activated { get; set; }

    public required DateTimeOffset StatusChanged { get; set; }

    public required DateTimeOffset LastUpdated { get; set; }

    /// <summary>profile.login, profile.email, profile.firstName, profile.lastName and any custom attribute.</summary>
    public Dictionary<string, string?> Profile { get; } = new(StringComparer.Ordinal);
}
