using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Planning;
using DirectoryConnector.Engine.Sources;

namespace DirectoryConnector.Engine.Tests.Planning;

/// <summary>An in-memory directory in LDAP style: users and groups named by DN, groups listing member DNs.</summary>
internal sealed class TestDirectory
{
    public const string Scope = "https://api.example.test|11111111-2222-3333-4444-555555555555";

    public List<DirectoryUser> Users { get; } = [];

    private readonly List<(string Name, string? DisplayedName, bool Selected, string? ExternalId, string[] Members)> groups = [];

    public List<SkippedEntry> SourceSkipped { get; } = [];

    public static string UserDn(string name) => $"cn={name},ou=people,dc=example,dc=com";

    public static string GroupDn(string name) => $"cn={name},ou=groups,dc=example,dc=com";

    /// <summary>Adds a user whose DN is both its reference and its external id, with email {name}@example.com (spaces as dots) unless given.</summary>
    public TestDirectory User(string name, string? email = "", bool disabled = false, bool deleted = false, string? externalId = null)
    {
        Users.Add(new DirectoryUser(UserDn(name), externalId ?? UserDn(name), email == "" ? $"{name.Replace(' ', '.')}@example.com" : email, disabled, deleted, UserDn(name)));
        return this;
    }

    /// <summary>Adds a group; members name users or groups of this directory (resolved to DNs) or raw references starting with "raw:".</summary>
    public TestDirectory Group(string name, params string[] members) => GroupWith(name, name, true, null, members);

    public TestDirectory UnselectedGroup(string name, params string[] members) => GroupWith(name, name, false, null, members);

    public TestDirectory GroupWith(string name, string? displayedName, bool selected, string? externalId, params string[] members)
    {
        groups.Add((name, displayedName, selected, externalId, members));
        return this;
    }

    /// <summary>The groups, with member names resolved to DNs: a user's if one has that name, else a group's.</summary>
    public List<DirectoryGroup> Groups()
    {
        var userReferences = Users.Select(u => u.ReferenceId).ToHashSet();
        string Reference(string member) => member.StartsWith("raw:", StringComparison.Ordinal) ? member["raw:".Length..]
            : userReferences.Contains(UserDn(member)) ? UserDn(member)
            : GroupDn(member);

        return groups.Select(g => new DirectoryGroup(
            GroupDn(g.Name), g.ExternalId ?? GroupDn(g.Name), g.DisplayedName, g.Members.Select(Reference).ToList(), g.Selected, GroupDn(g.Name))).ToList();
    }

    public DirectorySnapshot Snapshot() => new() { Users = [.. Users], Groups = Groups(), Skipped = [.. SourceSkipped] };

    public ImportPlan Plan(SyncOptionsSpec? options = null, string scope = Scope)
        => ImportPlanner.Plan(Snapshot(), options ?? new SyncOptionsSpec(), scope);
}

internal static class PlanExtensions
{
    /// <summary>The plan's group named <paramref name="name"/>, with its members as user names (DN cn values).</summary>
    public static IReadOnlyList<string> MembersOf(this ImportPlan plan, string name)
        => plan.Groups.Single(g => g.Name == name).MemberExternalIds.Select(NameOf).ToList();

    public static string NameOf(string dn) => dn["cn=".Length..dn.IndexOf(',', StringComparison.Ordinal)];
}
