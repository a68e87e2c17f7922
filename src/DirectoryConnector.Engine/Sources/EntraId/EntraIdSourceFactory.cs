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
    public static EntraIdSource Create(EntraIdSourceSpec spec, FiltersSpec? filters, string? clientSecret, string? certificatePem, string? caPem,
        DirectoryHttpClientFactory httpClients, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(httpClients);
        var filter = EntraIdFilter.Parse(filters?.Users, filters?.Groups);
        var endpoints = EntraIdEndpoints.From(spec);
        EntraIdHttpClient http;
        try
        {
            http = httpClients.Create<EntraIdHttpClient>(caPem);
        }
        catch (FormatException e)
        {
            throw new SyncFailedException(SyncFailureReason.InvalidSpec, "spec.source.entraId.caSecretRef must hold one or more PEM certificates (BEGIN CERTIFICATE).", retryable: false, e);
        }

        var client = EntraIdGraphClientBuilder.Build(spec, endpoints, clientSecret, certificatePem, http.Http);
        return new EntraIdSource(new EntraIdGraphReader(client), spec, filter, endpoints, loggerFactory.CreateLogger<EntraIdSource>());
    }
}
