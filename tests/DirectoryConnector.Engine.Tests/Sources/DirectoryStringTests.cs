using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.Ldap;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Sources;

public sealed class DirectoryStringTests
{
    // Escapes keep the test data's normal form visible: \u0301 is a combining acute accent, \u0303 a combining tilde.
    [Theory]
    [InlineData("Ren\u00e9 Lef\u00e8vre", "Rene\u0301 Lefe\u0300vre")] // NFC vs NFD
    [InlineData("\u00d8RSTED, ZO\u00cb", "\u00f8rsted, zo\u00eb")] // non-ASCII case
    [InlineData("Stra\u00dfe", "STRA\u00dfE")] // ß has no simple upper case: the rest folds
    [InlineData("\u03a3\u03bf\u03c6\u03af\u03b1", "\u03c3\u03bf\u03c6\u03b9\u0301\u03b1")] // Greek, decomposed tonos
    [InlineData("Ann\u00a0Berg", "Ann  Berg")] // no-break space is a space; runs count as one
    [InlineData("Soft\u00adware", "Software")] // soft hyphen is mapped to nothing
    [InlineData(" Ops ", "ops")] // leading and trailing spaces are insignificant
    [InlineData("\uff21\uff22", "ab")] // fullwidth letters are compatibility forms (NFKC)
    [InlineData("  Ann   Berg  ", "ann\u2003berg")] // printable ASCII (prepared without the general path) against an em space
    [InlineData("UID=Ann,OU=People", "uid=ann,ou=people")]
    public void Names_that_differ_only_as_RFC_4518_allows_are_equal(string left, string right)
    {
        DirectoryString.CaseIgnoreEquals(left, right).Should().BeTrue();
        DirectoryString.CaseIgnoreComparer.GetHashCode(left).Should().Be(DirectoryString.CaseIgnoreComparer.GetHashCode(right));
    }

    [Fact]
    public void Printable_ascii_is_prepared_as_RFC_4518_says_lowercase_trimmed_with_single_inner_spaces()
    {
        var random = new Random(4518);
        const string alphabet = "aZ09 ,=+-._@#\\\"'~!";
        for (var i = 0; i < 10_000; i++)
        {
            var value = new string([.. Enumerable.Range(0, random.Next(0, 12)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
            var expected = string.Join(' ', value.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries));

            DirectoryString.PrepareCaseIgnore(value).Should().Be(expected, $"for '{value}'");
            DirectoryString.CaseIgnoreComparer.GetHashCode(value).Should().Be(StringComparer.Ordinal.GetHashCode(expected));
        }
    }

    [Theory]
    [InlineData("Jos\u00e9", "Jose")] // an accent is a different letter
    [InlineData("ab", "a b")]
    [InlineData("Stra\u00dfe", "STRASSE")] // full case folding (ß → ss) is not applied, see the remarks
    public void Different_names_stay_different(string left, string right)
        => DirectoryString.CaseIgnoreEquals(left, right).Should().BeFalse();

    [Fact]
    public void A_dn_in_NFD_and_the_same_dn_in_NFC_with_other_case_are_one_entry()
    {
        var nfc = DistinguishedName.Parse("cn=Jos\u00e9 N\u00fa\u00f1ez,ou=People,dc=example,dc=test");
        var nfd = DistinguishedName.Parse("CN=JOSE\u0301 NU\u0301N\u0303EZ,OU=people,DC=example,DC=test");

        nfd.Should().Be(nfc);
        nfd.Canonical.Should().Be("cn=jos\u00e9 n\u00fa\u00f1ez,ou=people,dc=example,dc=test", "the canonical form is NFC and case-folded");
    }

    [Fact]
    public void Compose_canonical_returns_the_same_instance_for_text_already_in_NFC()
    {
        const string id = "00u1AbCdEf";
        DirectoryString.ComposeCanonical(id).Should().BeSameAs(id);
        DirectoryString.ComposeCanonical("e\u0301").Should().Be("\u00e9");
    }
}
