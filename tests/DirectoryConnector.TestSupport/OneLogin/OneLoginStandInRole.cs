namespace DirectoryConnector.TestSupport.OneLogin;

/// <summary>A role in the stand-in's account and the ids of the users assigned to it.</summary>
public sealed record OneLoginStandInRole(long Id, string Name, IReadOnlyList<long> UserIds);
