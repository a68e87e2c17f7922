using System.Net.Http.Headers;

namespace DirectoryConnector.Engine.Sources.Okta;

/// <summary>An API token: <c>Authorization: SSWS {token}</c> (developer.okta.com/docs/guides/create-an-api-token).
/// It acts with the rights of the admin who created it.</summary>
public sealed class OktaApiToken(string token) : IOktaCredential
{
    private readonly AuthenticationHeaderValue header = new("SSWS", token.Trim());

    public bool CanRefresh => false;

    public ValueTask AuthorizeAsync(HttpRequestMessage request, OktaClient client, bool refresh, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Headers.Authorization = header;
        return ValueTask.CompletedTask;
    }

    public override string ToString() => "SSWS [redacted]";
}
