using DirectoryConnector.Engine.Configuration;

namespace DirectoryConnector.Engine.Sync;

/// <summary>What a cursor depends on, in the order and with the names it has always been hashed with
/// (<see cref="SyncEngine.CursorScope"/>).</summary>
internal sealed record CursorScopeInput(SourceSpec Source, FiltersSpec Filters, SyncOptionsSpec Sync, string HashScope);
