// Test names are sentences.

using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Operator.Reconciliation;
using FluentAssertions;
using DirectoryConnector.TestSupport;
using Xunit;

namespace DirectoryConnector.Operator.Tests.Reconciliation;

public class ReferenceIndexTests
{
    [Fact]
    public void A_change_of_the_bitwarden_CA_secret_enqueues_the_directory_syncs_that_trust_it()
    {
        var index = new ReferenceIndex();
        var trusting = new DirectorySyncSpec
        {
            Bitwarden = new BitwardenSpec
            {
                ApiKeySecretRef = new ApiKeySecretRef { Name = "bw-key" },
                CaSecretRef = new SecretKeyRef { Name = "corp-ca", Key = "ca.crt" },
            },
        };
        var other = new DirectorySyncSpec { Bitwarden = new BitwardenSpec { ApiKeySecretRef = new ApiKeySecretRef { Name = "bw-key" } } };

        index.Set("team-a/corp", "team-a", trusting);
        index.Set("team-a/other", "team-a", other);

        index.OwnersOf("team-a", SpecReferences.SecretKind, "corp-ca").Should().Equal("team-a/corp");
        index.OwnersOf("team-b", SpecReferences.SecretKind, "corp-ca").Should().BeEmpty("a DirectorySync reads Secrets of its own namespace only");
    }
}
