using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Planning;
using Microsoft.Extensions.Logging;

namespace DirectoryConnector.Engine.Bitwarden;

// CONTRACT placeholders: the Bitwarden work replaces this file with one file per type.

/// <summary>The API and identity base URLs of a Bitwarden server.</summary>
public sealed record BitwardenEndpoints(Uri ApiUrl, Uri IdentityUrl)
{
    /// <summary>Derives both URLs from the spec (cloud US/EU, self-hosted, Vaultwarden, explicit overrides).
    /// Throws SyncFailedException(InvalidSpec) naming the field when a URL is malformed.</summary>
    public static BitwardenEndpoints FromSpec(BitwardenSpec spec) => throw new NotImplementedException("contract placeholder");
}

/// <summary>An organization API key. ToString never shows the secret.</summary>
public sealed class OrganizationApiKey
{
    public OrganizationApiKey(string clientId, string clientSecret) => throw new NotImplementedException("contract placeholder");

    public string ClientId => throw new NotImplementedException();

    /// <summary>The id after "organization." in the client id.</summary>
    public string OrganizationId => throw new NotImplementedException();
}

public sealed record ImportGroupRequest(string Name, string ExternalId, IReadOnlyList<string> MemberExternalIds);

public sealed record ImportMemberRequest(string Email, string ExternalId, bool Deleted);

/// <summary>The body of POST {api}/public/organization/import.</summary>
public sealed record OrganizationImportRequest(
    IReadOnlyList<ImportGroupRequest> Groups,
    IReadOnlyList<ImportMemberRequest> Members,
    bool OverwriteExisting,
    bool LargeImport,
    bool InviteUsersAfterProvisioning);

public static class ImportRequestBuilder
{
    public const int BatchSize = 2000;

    /// <summary>One request, or (total over BatchSize) member chunks then group chunks with largeImport.
    /// Throws SyncFailedException(InvalidSpec) when overwriteExisting would need more than one request.</summary>
    public static IReadOnlyList<OrganizationImportRequest> Build(ImportPlan plan, bool sendMembers, bool sendGroups, bool inviteUsersAfterProvisioning)
        => throw new NotImplementedException("contract placeholder");
}

/// <summary>Typed HttpClient for Bitwarden's token and public import endpoints.</summary>
public sealed class BitwardenClient(HttpClient http, TimeProvider time, ILogger<BitwardenClient> logger)
{
    /// <summary>Posts the requests in order. Throws SyncFailedException with BitwardenAuthFailed,
    /// BitwardenImportFailed or BitwardenUnavailable.</summary>
    public Task ImportAsync(BitwardenEndpoints endpoints, OrganizationApiKey apiKey, IReadOnlyList<OrganizationImportRequest> requests, CancellationToken cancellationToken)
        => throw new NotImplementedException($"contract placeholder {http}{time}{logger}");
}
