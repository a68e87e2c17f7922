namespace DirectoryConnector.Engine.Sources.EntraId;

/// <summary>The login host, the Graph base and the token scope of a spec (learn.microsoft.com/graph/deployments).</summary>
/// <param name="AuthorityHost">The Microsoft identity platform host, e.g. https://login.microsoftonline.com.</param>
/// <param name="GraphBaseUrl">The Graph v1.0 base, e.g. https://graph.microsoft.com/v1.0.</param>
/// <param name="Scope">The client-credentials scope: the Graph root followed by /.default.</param>
internal sealed record EntraIdEndpoints(Uri AuthorityHost, Uri GraphBaseUrl, string Scope)
{
    public static EntraIdEndpoints From(EntraIdSourceSpec spec)
    {
        var (login, graph) = spec.Cloud switch
        {
            EntraIdCloud.UsGovernment => ("https://login.microsoftonline.us", "https://graph.microsoft.us"),
            EntraIdCloud.China => ("https://login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn"),
            _ => ("https://login.microsoftonline.com", "https://graph.microsoft.com"),
        };
        var authority = new Uri(string.IsNullOrWhiteSpace(spec.AuthorityHost) ? login : spec.AuthorityHost.Trim());
        var graphRoot = new Uri(string.IsNullOrWhiteSpace(spec.GraphUrl) ? graph : spec.GraphUrl.Trim());
        var root = graphRoot.GetLeftPart(UriPartial.Authority);
        return new EntraIdEndpoints(authority, new Uri(root + "/v1.0"), root + "/.default");
    }
}
