using DirectoryConnector.Engine.Bitwarden;
using DirectoryConnector.Engine.Http;
using DirectoryConnector.Engine.Sources.OneLogin;
using DirectoryConnector.TestSupport.OneLogin;
using Microsoft.Extensions.DependencyInjection;

namespace DirectoryConnector.Engine.Tests.Sources.OneLogin;

internal static class OneLoginTestKit
{
    public const string Field = "spec.source.oneLogin";

    /// <summary>The engine's services with the OneLogin client's retry backoff shortened (server-asked waits stay real).</summary>
    public static ServiceProvider Services(Action<DirectoryHttpClientOptions>? configure = null)
    {
        var services = new ServiceCollection().AddDirectoryConnectorEngine();
        services.Configure<BitwardenClientOptions>(o => o.MaxAttempts = 1);
        services.Configure<DirectoryHttpClientOptions>(DirectoryHttpClientFactory.NameOf<OneLoginClient>(), options =>
        {
            options.BaseRetryDelay = TimeSpan.FromMilliseconds(10);
            options.MaxRetryDelay = TimeSpan.FromMilliseconds(50);
            configure?.Invoke(options);
        });
        return services.BuildServiceProvider();
    }

    /// <summary>The client as the source gets it: from the factory, trusting the stand-in's CA as a caSecretRef would.</summary>
    public static OneLoginClient OneLoginClient(this ServiceProvider services, OneLoginStandIn standIn, string? caPem = null) =>
        services.GetRequiredService<DirectoryHttpClientFactory>().Create<OneLoginClient>(caPem ?? standIn.CaPem);

    public static OneLoginConnection Connection(OneLoginStandIn standIn, string? secret = null) =>
        new(new Uri(standIn.BaseUrl, "/"), standIn.ClientId, secret ?? standIn.ClientSecret, Field);

    public static OneLoginStandInUser User(long id, string name, int status = 1) =>
        new(id, name, $"{name}@example.com", status, Firstname: name, Lastname: "Test");

    public static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
