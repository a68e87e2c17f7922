namespace DirectoryConnector.Engine.Sources.Okta;

/// <summary>profile.login and profile.email of an Okta user.</summary>
public sealed record OktaUserProfile(string? Login, string? Email);
