namespace DirectoryConnector.Engine.Planning;

/// <summary>A directory entry left out of the import because the server would fail on it (or silently drop it),
/// found by comparing the plan with the organization before posting.</summary>
/// <param name="Entry">The directory entry (DN or id) that was not sent.</param>
/// <param name="Message">Both members involved, what the server would do, and the fix.</param>
public sealed record ServerConflict(string Entry, string Message)
{
    public override string ToString() => $"{Entry}: {Message}";
}
