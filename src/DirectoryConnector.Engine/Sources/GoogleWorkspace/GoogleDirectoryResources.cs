using System.Text.Json;

namespace DirectoryConnector.Engine.Sources.GoogleWorkspace;

// The fields of the Directory API v1 resources the source reads
// (https://developers.google.com/admin-sdk/directory/reference/rest/v1/users, …/groups, …/members).
// Google leaves an array out when it is empty and nextPageToken out on the last page.

internal sealed record GoogleUserList(List<GoogleUserResource>? Users, string? NextPageToken);

/// <param name="Emails">Typed "any" in the discovery document; only its presence matters (upstream drops users without it).</param>
internal sealed record GoogleUserResource(string Id, string? PrimaryEmail, JsonElement? Emails, bool Suspended, bool Archived);

internal sealed record GoogleGroupList(List<GoogleGroupResource>? Groups, string? NextPageToken);

internal sealed record GoogleGroupResource(string Id, string? Email, string? Name);

internal sealed record GoogleMemberList(List<GoogleMemberResource>? Members, string? NextPageToken);

/// <param name="Type">USER, GROUP, CUSTOMER or EXTERNAL.</param>
/// <param name="Status">USER members only: ACTIVE, SUSPENDED, …</param>
internal sealed record GoogleMemberResource(string? Id, string? Email, string? Type, string? Status);

internal sealed record GoogleErrorResponse(GoogleError? Error);

internal sealed record GoogleError(int Code, string? Message, List<GoogleErrorItem>? Errors);

internal sealed record GoogleErrorItem(string? Domain, string? Reason, string? Message);
