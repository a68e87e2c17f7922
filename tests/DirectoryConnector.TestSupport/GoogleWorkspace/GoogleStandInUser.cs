namespace DirectoryConnector.TestSupport.GoogleWorkspace;

/// <summary>A user of the stand-in's directory (the fields of the Directory API User resource the connector reads).</summary>
public sealed class GoogleStandInUser
{
    /// <summary>Google's immutable user id (a 21-digit number).</summary>
    public required string Id { get; init; }

    public required string PrimaryEmail { get; set; }

    /// <summary>False models an account Google lists without an <c>emails</c> array.</summary>
    public bool HasEmails { get; set; } = true;

    public string GivenName { get; set; } = "";

    public string FamilyName { get; set; } = "";

    public bool Suspended { get; set; }

    public bool Archived { get; set; }

    public bool IsAdmin { get; set; }

    public string OrgUnitPath { get; set; } = "/";

    /// <summary>Set when the user is deleted: listed only with showDeleted=true (for 20 days at Google).</summary>
    public DateTimeOffset? DeletionTime { get; set; }
}
