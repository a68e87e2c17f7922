namespace DirectoryConnector.TestSupport.GoogleWorkspace;

/// <summary>A group of the stand-in's directory with its direct members in the order members.list returns them.</summary>
public sealed class GoogleStandInGroup
{
    /// <summary>Google's group id (e.g. 00meukdy0xsz5t0).</summary>
    public required string Id { get; init; }

    public required string Email { get; set; }

    public required string Name { get; set; }

    public List<GoogleStandInMember> Members { get; } = [];
}
