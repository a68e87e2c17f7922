using DirectoryConnector.Engine.Sources.Ldap;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Sources;

public sealed class DistinguishedNameTests
{
    [Theory]
    [InlineData(@"cn=O'Brien\, Pat,ou=People,dc=example,dc=org", @"cn=O'Brien\2C Pat,ou=People,dc=example,dc=org")]
    [InlineData(@"cn=O'Brien\, Pat,ou=People,dc=example,dc=org", @"CN=o'brien\2c pat,OU=PEOPLE,DC=Example,DC=ORG")]
    [InlineData("cn=Roland Dyke,ou=Human Resources,dc=bitwarden, dc=com", "cn=Roland Dyke,ou=Human Resources,dc=bitwarden,dc=com")]
    [InlineData("cn = Roland Dyke , ou=Human Resources ,dc=bitwarden,  dc=com", "CN=ROLAND DYKE,OU=HUMAN RESOURCES,DC=BITWARDEN,DC=COM")]
    [InlineData("cn=Roland  Dyke,dc=com", "cn=Roland Dyke,dc=com")] // caseIgnoreMatch: inner space runs count as one
    [InlineData(@"cn=\ leading,dc=com", "cn=leading,dc=com")] // escaped leading space is still insignificant
    [InlineData("cn=a+uid=b,dc=com", "uid=B + CN=A,dc=com")] // multi-valued RDN, any order
    [InlineData("cn=Ren\\C3\\A9 Smith,dc=com", "cn=René Smith,dc=com")] // UTF-8 hex escapes
    [InlineData("cn=x,dc=com", "cn=x;dc=com")] // RFC 2253 legacy separator
    [InlineData("cn=\"Smith, John\",dc=com", @"cn=Smith\, John,dc=com")] // RFC 1779 quoting
    [InlineData("OID.2.5.4.3=x,dc=com", "2.5.4.3=x,dc=com")]
    [InlineData("cn=a\\=b,dc=com", "cn=a=b,dc=com")] // '=' needs no escape in a value
    [InlineData("uid=#04024869,dc=com", "UID=#04024869,DC=COM")]
    public void Spellings_of_the_same_entry_have_the_same_canonical_form(string left, string right)
    {
        var a = DistinguishedName.Parse(left);
        var b = DistinguishedName.Parse(right);

        a.Canonical.Should().Be(b.Canonical);
        a.Should().Be(b);
        a.GetHashCode().Should().Be(b.GetHashCode());
    }

    [Fact]
    public void Canonicalizing_without_parsing_gives_what_the_parser_gives_for_every_spelling()
    {
        // Random DNs built from plain pieces and from every kind of piece that changes the canonical form (case,
        // spaces, escapes, separators, quotes, hex, OIDs, non-ASCII): the shortcut for plain DNs must agree.
        string[] types = ["cn", "uid", "OU", "Dc", "x-1", "OID.2.5.4.3", "2.5.4.3", "", "c n"];
        string[] values = ["a", "B", "Group", "7", "-", ".", "_", "@", " ", "  ", "\\,", "\\2C", "\"", "#04", "é", "É", "\u00A0", "<", "'", "\\", "=", ";"];
        string[] separators = [",", ",", ",", ", ", " ,", ";", "+", ""];
        var random = new Random(4514);
        var plain = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var text = new System.Text.StringBuilder();
            var rdns = random.Next(1, 5);
            for (var r = 0; r < rdns; r++)
            {
                text.Append(types[random.Next(random.Next(2) == 0 ? 4 : types.Length)]).Append(random.Next(8) == 0 ? " = " : "=");
                var length = random.Next(0, 5);
                for (var v = 0; v < length; v++)
                {
                    text.Append(values[random.Next(random.Next(2) == 0 ? 8 : values.Length)]);
                }

                if (r < rdns - 1)
                {
                    text.Append(separators[random.Next(separators.Length)]);
                }
            }

            var dn = text.ToString();
            var parsed = DistinguishedName.TryParse(dn, out var parsedDn) ? parsedDn.Canonical : null;
            DistinguishedName.TryCanonicalize(dn).Should().Be(parsed, $"for {dn}");
            plain += string.Equals(parsed, dn, StringComparison.OrdinalIgnoreCase) ? 1 : 0;
        }

        plain.Should().BeGreaterThan(1_000, "the generator must produce plain DNs too");
        var lowercase = "uid=ann,ou=people,dc=example,dc=org";
        DistinguishedName.TryCanonicalize(lowercase).Should().BeSameAs(lowercase, "an already canonical DN is not copied");
        DistinguishedName.TryCanonicalize("uid=user1,ou=People,dc=bench,dc=example").Should().Be("uid=user1,ou=people,dc=bench,dc=example");
    }

    [Theory]
    [InlineData("cn=Pat,ou=People,dc=example,dc=org", "cn=Pat,ou=Staff,dc=example,dc=org")]
    [InlineData("cn=a+uid=b,dc=com", "cn=a,uid=b,dc=com")]
    [InlineData(@"cn=O'Brien\, Pat,dc=com", "cn=O'Brien,cn=Pat,dc=com")]
    [InlineData("uid=#04024869,dc=com", "uid=#04024868,dc=com")]
    [InlineData("cn=ab,dc=com", "cn=a b,dc=com")]
    public void Different_entries_have_different_canonical_forms(string left, string right)
        => DistinguishedName.Parse(left).Should().NotBe(DistinguishedName.Parse(right));

    [Fact]
    public void The_canonical_form_is_lowercase_minimally_escaped_and_without_insignificant_spaces()
    {
        DistinguishedName.Parse(@"CN = O'Brien\2C  Pat , OU=People,DC=Example,DC=Org").Canonical
            .Should().Be(@"cn=o'brien\, pat,ou=people,dc=example,dc=org");
        DistinguishedName.Parse(@"cn=\#hash\+plus\<\>\;\22,dc=com").Canonical.Should().Be(@"cn=\#hash\+plus\<\>\;\"",dc=com");
        DistinguishedName.Parse(@"cn=back\\slash,dc=com").Canonical.Should().Be(@"cn=back\\slash,dc=com");
    }

    [Fact]
    public void Canonical_forms_parse_back_to_themselves()
    {
        foreach (var text in new[] { @"cn=O'Brien\, Pat,dc=com", @"cn=\#x\+y,dc=com", "cn=a+uid=b,dc=com", @"cn=back\\slash,dc=com", "uid=#0402,dc=com" })
        {
            var canonical = DistinguishedName.Parse(text).Canonical;
            DistinguishedName.Parse(canonical).Canonical.Should().Be(canonical);
        }
    }

    [Theory]
    [InlineData("merizzia")] // a memberUid, not a DN
    [InlineData("cn")]
    [InlineData("=x,dc=com")]
    [InlineData("cn=x,")]
    [InlineData("cn=x,,dc=com")]
    [InlineData("cn=a\"b,dc=com")]
    [InlineData(@"cn=bad\escape,dc=com")]
    [InlineData("cn=#123,dc=com")] // odd hex length
    [InlineData("1cn=x,dc=com")]
    [InlineData("cn=\"unterminated,dc=com")]
    [InlineData("cn=\\C3,dc=com")] // half a UTF-8 sequence
    public void Values_that_are_not_dns_do_not_parse(string text)
    {
        DistinguishedName.TryParse(text, out _).Should().BeFalse();
        var parse = () => DistinguishedName.Parse(text);
        parse.Should().Throw<FormatException>().WithMessage($"*{text}*");
    }

    [Fact]
    public void The_empty_dn_is_the_root()
        => DistinguishedName.Parse("").Rdns.Should().BeEmpty();

    [Theory]
    [InlineData("cn=Pat,ou=People,dc=example,dc=org", "ou=people,DC=Example,dc=org", true)]
    [InlineData("ou=People,dc=example,dc=org", "ou=People, dc=example,dc=org", true)]
    [InlineData("cn=Pat,ou=People,dc=example,dc=org", "ou=Groups,dc=example,dc=org", false)]
    [InlineData("dc=example,dc=org", "ou=People,dc=example,dc=org", false)]
    [InlineData("cn=Pat,ou=People,dc=example,dc=org", "", true)]
    public void IsWithin_compares_suffixes_by_rdn(string dn, string ancestor, bool within)
        => DistinguishedName.Parse(dn).IsWithin(DistinguishedName.Parse(ancestor)).Should().Be(within);
}
