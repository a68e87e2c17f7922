using Xunit;

namespace DirectoryConnector.TestSupport.Ldap;

/// <summary>One Samba AD DC per test run for the collection that uses it.</summary>
public sealed class SambaFixture : IAsyncLifetime
{
    public const int BulkUsers = 1600;

    private SambaDomainController? _controller;

    public SambaDomainController Controller => _controller ?? throw new InvalidOperationException("Samba is not started");

    public async Task InitializeAsync() => _controller = await SambaDomainController.StartAsync(BulkUsers);

    public async Task DisposeAsync()
    {
        if (_controller is not null)
        {
            await _controller.DisposeAsync();
        }
    }
}
