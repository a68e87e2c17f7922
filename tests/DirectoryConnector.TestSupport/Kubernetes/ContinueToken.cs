using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DirectoryConnector.TestSupport.Kubernetes;

/// <summary>
/// A list continue token as the API server writes it (apiserver storage/continue.go): base64 of
/// {"v":"meta.k8s.io/v1","rv":&lt;snapshot revision&gt;,"start":"&lt;key after the last served&gt;"}.
/// </summary>
internal sealed record ContinueToken(long ResourceVersion, string After)
{
    /// <summary>The server's message when the snapshot a continue token names was compacted (410 Expired).</summary>
    public const string ExpiredMessage = "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";

    public static string KeyOf(JsonObject obj) => $"{obj["metadata"]?["namespace"]?.GetValue<string>()}/{obj["metadata"]!["name"]!.GetValue<string>()}";

    public static string Encode(long resourceVersion, string lastKey)
        => Convert.ToBase64String(Encoding.UTF8.GetBytes(new JsonObject { ["v"] = "meta.k8s.io/v1", ["rv"] = resourceVersion, ["start"] = lastKey + "\u0000" }.ToJsonString()));

    /// <summary>Null for no token; 400 BadRequest for one the server did not write.</summary>
    public static ContinueToken? Decode(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        try
        {
            var json = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(token)));
            if (json?["v"]?.GetValue<string>() != "meta.k8s.io/v1" || json["rv"]?.GetValue<long>() is not { } rv || json["start"]?.GetValue<string>() is not { } start)
            {
                throw KubeApiException.BadRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
            }

            return new ContinueToken(rv, start.TrimEnd('\u0000'));
        }
        catch (Exception error) when (error is FormatException or JsonException or InvalidOperationException)
        {
            throw KubeApiException.BadRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
        }
    }
}
