using Xunit;

namespace DirectoryConnector.TestSupport.Ldap;

/// <summary>A Samba AD DC with no bulk users for tests that change the directory (incremental reads, prune, end to
/// end syncs): the shared <see cref="SambaFixture"/> must stay as seeded, and update sequence numbers are domain-wide.
/// Tests sharing one run in one collection (one at a time) and must not depend on what the others changed (work in
/// an OU of your own, or assert relative to your own first read). Provisioning is the slow part of a test run: keep DCs few.</summary>
public sealed class WritableSambaFixture : IAsyncLifetime
{
    private SambaDomainController? _controller;

    public SambaDomainController Controller => _controller ?? throw new InvalidOperationException("Samba is not started");

    public async Task InitializeAsync() => _controller = await SambaDomainController.StartAsync(bulkUsers: 0);

    public async Task DisposeAsync()
    {
        if (_controller is not null)
        {
            await _controller.DisposeAsync();
        }
    }
}
