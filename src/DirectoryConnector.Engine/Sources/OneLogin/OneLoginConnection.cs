namespace DirectoryConnector.Engine.Sources.OneLogin;

/// <summary>Where and as whom the client calls OneLogin.</summary>
/// <param name="ApiUrl">https://api.us.onelogin.com, https://api.eu.onelogin.com, https://{subdomain}.onelogin.com or a test URL.</param>
/// <param name="ClientId">The API credential's client id.</param>
/// <param name="ClientSecret">The API credential's client secret (never logged or put in messages).</param>
/// <param name="Field">The spec path errors name, e.g. spec.source.oneLogin.</param>
public sealed record OneLoginConnection(Uri ApiUrl, string ClientId, string ClientSecret, string Field)
{
    public override string ToString() => $"{ApiUrl} ({ClientId})";
}
