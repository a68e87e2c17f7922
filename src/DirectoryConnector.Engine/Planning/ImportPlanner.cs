using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;

namespace DirectoryConnector.Engine.Planning;

/// <summary>Turns what a source read into what a sync sends (CONTRACT: body filled in by the planner work).</summary>
public static class ImportPlanner
{
    /// <param name="hashScope">Identifies the target organization (API URL and organization id) so that the same
    /// directory synced to another organization never counts as up to date.</param>
    public static ImportPlan Plan(DirectorySnapshot snapshot, SyncOptionsSpec options, string hashScope)
        => throw new NotImplementedException("contract placeholder");
}
