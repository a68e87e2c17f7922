namespace DirectoryConnector.Engine.Sources;

public enum SkippedEntryKind
{
    User,
    Group,
    Member,
}
