namespace DirectoryConnector.Engine.Sources.GoogleWorkspace;

/// <summary>What one read of the Directory API needs besides the HTTP client: where, for whom, and how it is named in errors.</summary>
/// <param name="ApiUrl">The Admin SDK base, e.g. https://admin.googleapis.com/.</param>
/// <param name="Customer">my_customer or a customer id; always sent.</param>
/// <param name="Domain">Sent when set: one domain of the customer.</param>
/// <param name="Credential">Signs the JWT assertions for <paramref name="AdminUser"/>.</param>
/// <param name="ClientId">The service account's OAuth client id (what domain-wide delegation is granted to), if the key names it.</param>
internal sealed record GoogleDirectorySession(Uri ApiUrl, string Customer, string? Domain, GoogleServiceAccountCredential Credential, string AdminUser, string? ClientId);
