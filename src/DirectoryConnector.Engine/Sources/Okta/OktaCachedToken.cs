namespace DirectoryConnector.Engine.Sources.Okta;

/// <summary>An access token (Bearer, or DPoP with the key it is bound to) and when to ask for the next one.</summary>
internal sealed record OktaCachedToken(string Scheme, string Value, DateTimeOffset RenewAt, OktaDpopKey? Dpop)
{
    // The token is a secret: records print their members.
    public override string ToString() => $"{Scheme} token until {RenewAt:O}";
}
