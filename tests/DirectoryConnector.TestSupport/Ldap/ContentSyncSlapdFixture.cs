using Xunit;

namespace DirectoryConnector.TestSupport.Ldap;

/// <summary>
/// A slapd of its own with the syncprov overlay, so it offers LDAP Content Synchronization (RFC 4533) as a syncrepl
/// provider does; one empty suffix, dc=sync,dc=test, where each test adds an organizational unit of its own.
/// Kept apart from <see cref="SlapdFixture"/> so the other LDAP tests still read a server without the feature.
/// Accounts other than the root DN get a size limit of <see cref="SizeLimit"/> entries (per page too), as syncrepl
/// providers often give their readers, so a directory larger than it is exercised.
/// </summary>
public sealed class ContentSyncSlapdFixture : IAsyncLifetime
{
    private SlapdServer? _server;

    public SlapdServer Server => _server ?? throw new InvalidOperationException("slapd is not started");

    /// <summary>The size limit of every account but the root DN (size.prtotal unlimited: paging reads past it).</summary>
    public const int SizeLimit = 5;

    public SlapdSuffix Suffix { get; } = new("dc=sync,dc=test", "sync-admin-secret");

    public async Task InitializeAsync() => _server = await SlapdServer.StartAsync([Suffix], SizeLimit, contentSync: true);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
