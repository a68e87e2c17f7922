namespace DirectoryConnector.TestSupport.EntraId;

/// <summary>Which endpoint a scripted fault applies to.</summary>
public enum EntraGraphEndpoint
{
    /// <summary>POST /{tenant}/oauth2/v2.0/token.</summary>
    Token,

    /// <summary>Any request under /v1.0.</summary>
    Graph,
}
