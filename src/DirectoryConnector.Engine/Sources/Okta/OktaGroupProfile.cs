namespace DirectoryConnector.Engine.Sources.Okta;

/// <summary>profile.name of an Okta group.</summary>
public sealed record OktaGroupProfile(string? Name);
