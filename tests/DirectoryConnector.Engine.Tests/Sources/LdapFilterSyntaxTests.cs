using DirectoryConnector.Engine.Sources.Ldap;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Sources;

public sealed class LdapFilterSyntaxTests
{
    [Theory]
    [InlineData("(memberOf=cn=Bitwarden,ou=Groups,dc=corp,dc=example,dc=com)")]
    [InlineData("memberOf=cn=Bitwarden,dc=example,dc=com")] // written without parentheses: the spec adds them
    [InlineData("(&(objectClass=user)(!(userAccountControl:1.2.840.113556.1.4.803:=2)))")]
    [InlineData("(|(cn=Ann*)(sn=*berg)(mail=*@example.com))")]
    [InlineData("(cn=a*b*c)")]
    [InlineData("(cn=*)")]
    [InlineData("(cn=Sales (EMEA))")] // balanced parentheses in a value, as libldap accepts
    [InlineData("(cn=\\28x\\29 \\2a)")]
    [InlineData("(cn:dn:=Ops)")]
    [InlineData("(cn:=Ops)")]
    [InlineData("(:caseExactMatch:=Ops)")]
    [InlineData("(modifyTimestamp>=20260101000000Z)")]
    [InlineData("(cn~=ann)")]
    [InlineData("(&)")] // absolute true (RFC 4526)
    [InlineData("( & (cn=a) (sn=b) )")]
    [InlineData("(cn;lang-de=M\u00fcller)")]
    public void Filters_servers_accept_are_accepted(string filter)
        => EffectiveLdapSpec.FilterProblem(filter).Should().BeNull();

    [Theory]
    [InlineData("(cn=Alice", "the filter ends before its ')'")]
    [InlineData("(&(cn=Ops)", "expected ')'")]
    [InlineData("(cn=Alice))", "text after the closing ')'")]
    [InlineData("(=Alice)", "expected an attribute name")]
    [InlineData("(cn Alice)", "expected '=', '~=', '>=' or '<='")]
    [InlineData("(cn=A\\zz)", "two-digit hex escape")]
    [InlineData("(c n=x)", "expected '='")]
    [InlineData("(1cn=x)", "is not an attribute description")]
    [InlineData("(:=x)", "an extensible match needs an attribute or a matching rule")]
    public void Malformed_filters_say_what_and_where(string filter, string problem)
        => EffectiveLdapSpec.FilterProblem(filter).Should().Contain(problem).And.Contain($"\"{filter}\" is not an LDAP filter (RFC 4515)");
}
