namespace DirectoryConnector.TestSupport.Ldap;

/// <summary>
/// The tests' own directory under dc=example,dc=org: 8 inetOrgPersons (more than the fixture's size limit),
/// a bind account that is not a person, nested groupOfNames, a posixGroup whose memberUid values are short uids
/// and DNs spelled differently from the entries they name, and a group outside ou=Groups.
/// </summary>
public static class SlapdSeed
{
    public const string ReaderDn = "cn=reader,ou=Service,dc=example,dc=org";
    public const string ReaderPassword = "reader-secret";
    public const string AliceDn = "cn=Alice Smith,ou=People,dc=example,dc=org";
    public const string BobDn = "cn=Bob Jones,ou=People,dc=example,dc=org";
    public const string CarolDn = "cn=Carol White,ou=People,dc=example,dc=org";
    public const string DaveDn = "cn=Dave Brown,ou=People,dc=example,dc=org";
    public const string PatDn = "cn=O'Brien\\, Pat,ou=People,dc=example,dc=org";
    public const string ErinDn = "cn=Erin Green,ou=Contractors,dc=example,dc=org";
    public const string EngineeringDn = "cn=Engineering,ou=Groups,dc=example,dc=org";
    public const string PlatformDn = "cn=Platform,ou=Groups,dc=example,dc=org";
    public const string OpsDn = "cn=Ops,ou=Groups,dc=example,dc=org";
    public const string ArchiveDn = "cn=Archive,ou=Archive,dc=example,dc=org";

    public const int PersonCount = 8;

    public const string Ldif = """
        dn: ou=People,dc=example,dc=org
        objectClass: organizationalUnit
        ou: People

        dn: ou=Contractors,dc=example,dc=org
        objectClass: organizationalUnit
        ou: Contractors

        dn: ou=Service,dc=example,dc=org
        objectClass: organizationalUnit
        ou: Service

        dn: ou=Groups,dc=example,dc=org
        objectClass: organizationalUnit
        ou: Groups

        dn: ou=Archive,dc=example,dc=org
        objectClass: organizationalUnit
        ou: Archive

        dn: cn=reader,ou=Service,dc=example,dc=org
        objectClass: person
        cn: reader
        sn: reader
        userPassword: reader-secret

        dn: cn=Alice Smith,ou=People,dc=example,dc=org
        objectClass: inetOrgPerson
        cn: Alice Smith
        sn: Smith
        uid: alice
        mail: Alice.Smith@Example.org

        dn: cn=Bob Jones,ou=People,dc=example,dc=org
        objectClass: inetOrgPerson
        cn: Bob Jones
        sn: Jones
        uid: bob
        mail: bob@example.org

        dn: cn=Carol White,ou=People,dc=example,dc=org
        objectClass: inetOrgPerson
        cn: Carol White
        sn: White
        uid: carol
        mail: carol@example.org

        dn: cn=Dave Brown,ou=People,dc=example,dc=org
        objectClass: inetOrgPerson
        cn: Dave Brown
        sn: Brown
        uid: dave

        dn: cn=O'Brien\, Pat,ou=People,dc=example,dc=org
        objectClass: inetOrgPerson
        cn: O'Brien, Pat
        sn: O'Brien
        uid: pobrien
        mail: pat.obrien@example.org

        dn: cn=Frank Hall,ou=People,dc=example,dc=org
        objectClass: inetOrgPerson
        cn: Frank Hall
        sn: Hall
        uid: frank
        mail: frank@example.org

        dn: cn=Grace Lee,ou=People,dc=example,dc=org
        objectClass: inetOrgPerson
        cn: Grace Lee
        sn: Lee
        uid: grace
        mail: grace@example.org

        dn: cn=Erin Green,ou=Contractors,dc=example,dc=org
        objectClass: inetOrgPerson
        cn: Erin Green
        sn: Green
        uid: erin
        mail: erin@contractor.example.net

        dn: cn=Platform,ou=Groups,dc=example,dc=org
        objectClass: groupOfNames
        cn: Platform
        member: cn=Bob Jones,ou=People,dc=example,dc=org
        member: CN=O'Brien\2C Pat, OU=People, DC=Example, DC=Org

        dn: cn=Engineering,ou=Groups,dc=example,dc=org
        objectClass: groupOfNames
        cn: Engineering
        member: cn=Alice Smith,ou=People,dc=example,dc=org
        member: cn=Platform,ou=Groups,dc=example,dc=org

        dn: cn=Ops,ou=Groups,dc=example,dc=org
        objectClass: posixGroup
        cn: Ops
        gidNumber: 1000
        memberUid: CAROL
        memberUid: frank
        memberUid: CN=Grace Lee, OU=People, DC=EXAMPLE, DC=ORG
        memberUid: cn=o'brien\2c pat,ou=people,dc=example,dc=org
        memberUid: ghost

        dn: cn=Archive,ou=Archive,dc=example,dc=org
        objectClass: groupOfNames
        cn: Archive
        member: cn=Grace Lee,ou=People,dc=example,dc=org

        """;
}
