using System.Security.Cryptography.X509Certificates;
using DirectoryConnector.Engine.Sources.Ldap;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Sources;

public sealed class LdapTrustDirectoryTests
{
    [Fact]
    public void Subject_hashes_match_the_names_openssl_rehash_gave_the_system_trust_store()
    {
        // /etc/ssl/certs holds <subject hash>.N links made by update-ca-certificates (openssl rehash): an independent oracle.
        var links = Directory.EnumerateFiles("/etc/ssl/certs", "*.0").ToList();
        links.Should().HaveCountGreaterThan(10, "the ca-certificates package is installed");

        foreach (var link in links)
        {
            using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(link));
            LdapTrustDirectory.SubjectHash(certificate.SubjectName).Should().Be(Path.GetFileNameWithoutExtension(link), certificate.Subject);
        }
    }

    [Fact]
    public void The_directory_holds_each_certificate_under_its_hash_and_is_removed_on_dispose()
    {
        var first = DirectoryConnector.TestSupport.Ldap.TestCertificates.Create("First CA").CaPem;
        var second = DirectoryConnector.TestSupport.Ldap.TestCertificates.Create("Second CA").CaPem;

        string path;
        using (var directory = LdapTrustDirectory.Create(first + "\n" + second, "spec.source.ldap.caSecretRef"))
        {
            path = directory.Path;
            var files = Directory.GetFiles(path).Select(Path.GetFileName).ToList();
            files.Should().HaveCount(2).And.OnlyContain(name => name!.EndsWith(".0", StringComparison.Ordinal));
            File.ReadAllText(Directory.GetFiles(path)[0]).Should().StartWith("-----BEGIN CERTIFICATE-----");
        }

        Directory.Exists(path).Should().BeFalse();
    }
}
