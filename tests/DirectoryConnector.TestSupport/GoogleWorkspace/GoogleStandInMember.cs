namespace DirectoryConnector.TestSupport.GoogleWorkspace;

/// <summary>A Directory API Member resource: <paramref name="Type"/> USER, GROUP, CUSTOMER or EXTERNAL;
/// <paramref name="Status"/> (ACTIVE, SUSPENDED, …) is set for USER members only, as Google does.
/// A CUSTOMER member has the customer id as its id and no email.</summary>
public sealed record GoogleStandInMember(string Id, string? Email, string Type, string? Status, string Role = "MEMBER");
