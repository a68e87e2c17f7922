namespace DirectoryConnector.TestSupport.Ldap;

/// <summary>
/// What the Samba DC is seeded with, offline through Samba's own Python bindings in one transaction:
/// OU=Corp holds enabled users (544), a disabled one (546), one without mail, a computer account (WS01$),
/// a contact, nested groups Outer → {Inner, alice}, Inner → {bob, carol}, and eve, deleted (a tombstone).
/// OU=Bulk holds N users, all members of CN=Big (more than Windows' 1500-value range window).
/// </summary>
public static class SambaSeed
{
    public static readonly string[] CorpUsers = ["alice", "bob", "carol", "dave"];

    public const string DisabledUser = "bob";

    public const string UserWithoutMail = "dave";

    public const string DeletedUser = "eve";

    public const string PythonScript = """
        import json, sys
        from samba.samdb import SamDB
        from samba.param import LoadParm
        from samba.auth import system_session
        from samba.ndr import ndr_unpack
        from samba.dcerpc import misc

        conf, count, guids_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
        lp = LoadParm()
        lp.load(conf)
        db = SamDB(url=lp.private_path("sam.ldb"), session_info=system_session(), lp=lp)
        base = str(db.domain_dn())
        corp = "OU=Corp," + base
        bulk = "OU=Bulk," + base

        def user(cn, sam, uac, mail=None):
            text = f"dn: CN={cn},{corp}\nobjectClass: user\nsAMAccountName: {sam}\nuserAccountControl: {uac}\n"
            return text + (f"mail: {mail}\n" if mail else "")

        parts = [
            f"dn: {corp}\nobjectClass: organizationalUnit\n",
            user("Alice Adams", "alice", 544, "alice@test.local"),
            user("Bob Brown", "bob", 546, "bob@test.local"),
            user("Carol Clark", "carol", 544, "carol@test.local"),
            user("Dave Davis", "dave", 544),
            user("Eve Evans", "eve", 544, "eve@test.local"),
            f"dn: CN=WS01,{corp}\nobjectClass: computer\nsAMAccountName: WS01$\nuserAccountControl: 4096\nmail: ws01@test.local\n",
            f"dn: CN=Connie Contact,{corp}\nobjectClass: contact\nmail: connie@partner.example\n",
            f"dn: CN=Inner,{corp}\nobjectClass: group\nsAMAccountName: Inner\nmember: CN=Bob Brown,{corp}\nmember: CN=Carol Clark,{corp}\n",
            f"dn: CN=Outer,{corp}\nobjectClass: group\nsAMAccountName: Outer\nmember: CN=Inner,{corp}\nmember: CN=Alice Adams,{corp}\n",
            f"dn: {bulk}\nobjectClass: organizationalUnit\n",
        ]
        for i in range(count):
            parts.append(f"dn: CN=bulk{i:04d},{bulk}\nobjectClass: user\nsAMAccountName: bulk{i:04d}\nmail: bulk{i:04d}@test.local\nuserAccountControl: 544\n")
        members = "".join(f"member: CN=bulk{i:04d},{bulk}\n" for i in range(count))
        parts.append(f"dn: CN=Big,{bulk}\nobjectClass: group\nsAMAccountName: Big\n{members}")

        db.transaction_start()
        db.add_ldif("\n".join(parts))
        db.transaction_commit()

        guids = {}
        for entry in db.search(base=base, expression="(sAMAccountName=*)", attrs=["sAMAccountName", "objectGUID"]):
            guids[str(entry["sAMAccountName"][0])] = str(ndr_unpack(misc.GUID, entry["objectGUID"][0]))
        db.delete(f"CN=Eve Evans,{corp}")
        with open(guids_path, "w") as out:
            json.dump(guids, out)
        """;
}
