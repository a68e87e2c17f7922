using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DirectoryConnector.TestSupport.Http;

/// <summary>A Kestrel server on 127.0.0.1 (HTTPS with the given certificate, or plain HTTP) that answers with a
/// handler and counts what reached it: TCP connections (before TLS) and requests (after).</summary>
public sealed class LoopbackHttpsServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<string> requests = new();
    private int connections;

    private LoopbackHttpsServer(WebApplication app) => this.app = app;

    /// <summary>e.g. https://127.0.0.1:41234/</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>TCP connections accepted, including those whose TLS handshake failed.</summary>
    public int Connections => Volatile.Read(ref connections);

    /// <summary>"METHOD /path" of every request that got past TLS, in arrival order.</summary>
    public IReadOnlyList<string> Requests => [.. requests];

    public static async Task<LoopbackHttpsServer> StartAsync(X509Certificate2? certificate, RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        LoopbackHttpsServer? server = null;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Use(next => context =>
            {
                Interlocked.Increment(ref server!.connections);
                return next(context);
            });
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        }));
        var app = builder.Build();
        server = new LoopbackHttpsServer(app);
        app.Use(async (context, next) =>
        {
            server.requests.Enqueue($"{context.Request.Method} {context.Request.Path}");
            await next(context).ConfigureAwait(false);
        });
        app.Run(handler);
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
    }
}
