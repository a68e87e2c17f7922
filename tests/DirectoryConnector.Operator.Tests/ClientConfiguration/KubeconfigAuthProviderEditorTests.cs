using DirectoryConnector.Operator.Hosting.Kubeconfig;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Operator.Tests.ClientConfiguration;

/// <summary>The in-place edit of a user's auth-provider config that <see cref="KubeconfigTokenPersistenceTests"/> saves
/// refreshed tokens with: the layouts it must keep, and the ones it must refuse rather than break.</summary>
public sealed class KubeconfigAuthProviderEditorTests
{
    [Fact]
    public void AnEmptyValueIsFilledAfterItsColon()
    {
        const string text = "users:\n- name: dev\n  user:\n    auth-provider:\n      name: oidc\n      config:\n        id-token:   # none yet\n        client-id: k\n";

        var edited = KubeconfigAuthProviderEditor.SetConfigValues(text, "dev", [new("id-token", "eyJ.a.b")], out _);

        edited.Should().Be("users:\n- name: dev\n  user:\n    auth-provider:\n      name: oidc\n      config:\n        id-token: eyJ.a.b   # none yet\n        client-id: k\n");
    }

    [Theory]
    [InlineData("12345", "\"12345\"")]
    [InlineData("true", "\"true\"")]
    [InlineData("a b#c", "\"a b#c\"")]
    [InlineData("rt-1/x+y=", "rt-1/x+y=")]
    public void AValueAReaderCouldTakeForAnotherTypeOrThatHasSpecialCharactersIsQuoted(string value, string written)
    {
        const string text = "users:\n- name: dev\n  user: {auth-provider: {name: oidc, config: {refresh-token: old}}}\n";

        var edited = KubeconfigAuthProviderEditor.SetConfigValues(text, "dev", [new("refresh-token", value)], out _);

        edited.Should().Be($"users:\n- name: dev\n  user: {{auth-provider: {{name: oidc, config: {{refresh-token: {written}}}}}}}\n");
        KubeconfigReader.AuthProviderConfig(edited!, "dev")!["refresh-token"].Should().Be(value);
    }

    [Fact]
    public void AConfigThatIsAnAliasIsNotEditedBecauseOthersShareIt()
    {
        const string text = """
            shared: &cfg {client-id: k, refresh-token: old}
            users:
            - name: dev
              user:
                auth-provider: {name: oidc, config: *cfg}
            - name: ops
              user:
                auth-provider: {name: oidc, config: *cfg}
            """;

        var edited = KubeconfigAuthProviderEditor.SetConfigValues(text, "dev", [new("refresh-token", "new")], out var reason);

        edited.Should().BeNull();
        reason.Should().Be("users[dev].user.auth-provider.config is, or is inside, an alias of a node defined elsewhere in the file");
    }

    [Fact]
    public void AUserTheFileNoLongerDefinesIsNotAdded()
    {
        var edited = KubeconfigAuthProviderEditor.SetConfigValues("users: []\n", "dev", [new("id-token", "x")], out var reason);

        edited.Should().BeNull();
        reason.Should().Be("it no longer defines users[dev]");
    }
}
