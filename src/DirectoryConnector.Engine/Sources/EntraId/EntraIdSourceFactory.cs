using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Http;
using DirectoryConnector.Engine.Sync;
using Microsoft.Extensions.Logging;

namespace DirectoryConnector.Engine.Sources.EntraId;

/// <summary>Builds an <see cref="EntraIdSource"/> from its spec, the filters and the resolved Secret values.</summary>
internal static class EntraIdSourceFactory
{
    /// <param name="clientSecret">The value of clientSecretRef, or null when a certificate is used.</param>
    /// <param name="certificatePem">The value of clientCertificateSecretRef (PEM certificate + key), or null.</param>
    /// <param name="caPem">The value of caSecretRef, or null for the system trust store.</param>
    public static EntraIdSource Create(EntraIdSourceSpec spec, EntraIdFilter filter, string? clientSecret, string? certificatePem, string? caPem,
        DirectoryHttpClientFactory httpClients, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(httpClients);
        var endpoints = EntraIdEndpoints.From(spec);
        var http = httpClients.Create<EntraIdHttpClient>(caPem, spec.CaSecretRef, "spec.source.entraId.caSecretRef");

        var client = EntraIdGraphClientBuilder.Build(spec, endpoints, clientSecret, certificatePem, http.Http);
        return new EntraIdSource(new EntraIdGraphReader(client), spec, filter, endpoints, loggerFactory.CreateLogger<EntraIdSource>());
    }
}
