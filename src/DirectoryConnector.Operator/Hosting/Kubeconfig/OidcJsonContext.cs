using System.Text.Json.Serialization;

namespace DirectoryConnector.Operator.Hosting.Kubeconfig;

/// <summary>The OIDC refresh's JSON, generated at compile time (Native AOT has no reflection serializer).</summary>
[JsonSerializable(typeof(OidcProviderMetadata))]
[JsonSerializable(typeof(OidcTokenResponse))]
internal sealed partial class OidcJsonContext : JsonSerializerContext;
