using System.Diagnostics.CodeAnalysis;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sync;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;

namespace DirectoryConnector.Engine.Http;

/// <summary>
/// Creates the typed clients registered with <see cref="HttpServiceCollectionExtensions.AddDirectoryHttpClient{TClient}"/>,
/// trusting the system store or only a CA bundle from a caSecretRef. Clients of different bundles never share a
/// connection: each bundle is its own named client with its own SocketsHttpHandler.
/// </summary>
public sealed class DirectoryHttpClientFactory
{
    private readonly IHttpClientFactory httpClients;
    private readonly IServiceProvider services;
    private readonly PrivateCaRegistry privateCas;

    internal DirectoryHttpClientFactory(IHttpClientFactory httpClients, IServiceProvider services, PrivateCaRegistry privateCas)
    {
        this.httpClients = httpClients;
        this.services = services;
        this.privateCas = privateCas;
    }

    /// <summary>The HttpClientFactory name of <typeparamref name="TClient"/> (also the name of its <see cref="DirectoryHttpClientOptions"/>).</summary>
    public static string NameOf<TClient>() => typeof(TClient).Name;

    /// <summary>A typed client whose TLS trusts only <paramref name="caPem"/> (a PEM bundle of CA certificates, as held by a
    /// caSecretRef), or the system trust store when it is null or blank. Proxies come from HTTPS_PROXY / HTTP_PROXY / NO_PROXY.</summary>
    /// <exception cref="FormatException">The bundle holds no PEM certificate; the message never quotes the bundle.</exception>
    public TClient Create<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TClient>(string? caPem)
        where TClient : class
    {
        var name = NameOf<TClient>();
        if (!string.IsNullOrWhiteSpace(caPem))
        {
            name = privateCas.Register(name, caPem);
        }

        return services.GetRequiredService<ITypedHttpClientFactory<TClient>>().CreateClient(httpClients.CreateClient(name));
    }

    /// <summary><see cref="Create{TClient}(string?)"/> with the value of <paramref name="caSecretRef"/> (null: the system
    /// trust store).</summary>
    /// <exception cref="SyncFailedException">InvalidSpec naming <paramref name="caField"/> and the Secret key when the bundle
    /// holds no PEM certificate; never quotes the bundle.</exception>
    public TClient Create<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TClient>(string? caPem, SecretKeyRef? caSecretRef, string caField)
        where TClient : class
    {
        try
        {
            return Create<TClient>(caPem);
        }
        catch (FormatException invalid) when (caSecretRef is not null)
        {
            throw CaBundle.Invalid(caField, caSecretRef, invalid);
        }
    }
}
