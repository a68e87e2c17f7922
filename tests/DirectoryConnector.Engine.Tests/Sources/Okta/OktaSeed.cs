using DirectoryConnector.TestSupport.Okta;

namespace DirectoryConnector.Engine.Tests.Sources.Okta;

/// <summary>Users in every status: alice, bob (ACTIVE), carol (SUSPENDED), dave (STAGED), erin (PROVISIONED),
/// frank (LOCKED_OUT), gina (DEPROVISIONED), henry (ACTIVE); departments Engineering (alice, carol, dave) and Sales.</summary>
internal sealed class OktaSeed(OktaStandInDirectory directory)
{
    public OktaStandInUser Alice { get; } = directory.AddUser("alice@example.com", profile: Department("Engineering"));

    public OktaStandInUser Bob { get; } = directory.AddUser("bob@example.com", profile: Department("Sales"));

    public OktaStandInUser Carol { get; } = Suspended(directory, directory.AddUser("carol@example.com", profile: Department("Engineering")));

    public OktaStandInUser Dave { get; } = directory.AddUser("dave@example.com", status: "STAGED", profile: Department("Engineering"));

    public OktaStandInUser Erin { get; } = directory.AddUser("erin@example.com", status: "PROVISIONED");

    public OktaStandInUser Frank { get; } = directory.AddUser("frank@example.com", status: "LOCKED_OUT");

    public OktaStandInUser Gina { get; } = Deactivated(directory, directory.AddUser("gina@example.com", profile: Department("Sales")));

    public OktaStandInUser Henry { get; } = directory.AddUser("henry@example.com");

    public OktaStandInGroup Engineering { get; set; } = null!;

    public OktaStandInGroup Sales { get; set; } = null!;

    public OktaStandInGroup AdAdmins { get; set; } = null!;

    private static Dictionary<string, string?> Department(string name) => new() { ["department"] = name };

    private static OktaStandInUser Suspended(OktaStandInDirectory directory, OktaStandInUser user)
    {
        directory.Suspend(user);
        return user;
    }

    private static OktaStandInUser Deactivated(OktaStandInDirectory directory, OktaStandInUser user)
    {
        directory.Deactivate(user);
        return user;
    }
}
