using Xunit;

namespace DirectoryConnector.TestSupport.Ldap;

/// <summary>A Samba AD DC of its own (no bulk users) for tests that change the directory between syncs: the
/// shared <see cref="SambaFixture"/> must stay as seeded, and update sequence numbers are domain-wide.</summary>
public sealed class IncrementalSambaFixture : IAsyncLifetime
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
