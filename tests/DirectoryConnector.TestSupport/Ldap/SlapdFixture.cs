using DirectoryConnector.TestSupport;
using Xunit;

namespace DirectoryConnector.TestSupport.Ldap;

/// <summary>
/// One slapd for a test collection with two suffixes: dc=example,dc=org (the tests' own seed, see
/// <see cref="SlapdSeed"/>) and dc=bitwarden,dc=com (empty, for upstream's fixture), and a size limit of
/// <see cref="SizeLimit"/> for ordinary users so paging is exercised.
/// </summary>
public sealed class SlapdFixture : IAsyncLifetime
{
    public const int SizeLimit = 5;

    private SlapdServer? _server;

    public SlapdServer Server => _server ?? throw new InvalidOperationException("slapd is not started");

    public SlapdSuffix Example { get; } = new("dc=example,dc=org", "example-admin-secret");

    /// <summary>Upstream's suffix and credentials; empty until <see cref="LoadUpstreamDirectoryAsync"/>.</summary>
    public SlapdSuffix Bitwarden { get; } = new("dc=bitwarden,dc=com", "admin", CreateBaseEntry: false);

    /// <summary>Empty; the source contract tests add one organizational unit per test below it.</summary>
    public SlapdSuffix Contract { get; } = new("dc=contract,dc=test", "contract-admin-secret");

    private readonly Lazy<Task> _upstreamLoad;

    public SlapdFixture() => _upstreamLoad = new(async () =>
        await Server.AddLdifAsync(Bitwarden, await File.ReadAllTextAsync(UpstreamFixtures.File("directory-20.ldif"))));

    /// <summary>Loads upstream's directory-20.ldif into dc=bitwarden,dc=com once for the whole collection.</summary>
    public Task LoadUpstreamDirectoryAsync() => _upstreamLoad.Value;

    public async Task InitializeAsync()
    {
        _server = await SlapdServer.StartAsync([Example, Bitwarden, Contract], SizeLimit);
        await _server.AddLdifAsync(Example, SlapdSeed.Ldif);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
