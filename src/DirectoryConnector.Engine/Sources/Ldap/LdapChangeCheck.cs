namespace DirectoryConnector.Engine.Sources.Ldap;

/// <summary>What <see cref="LdapChangeTracker"/> found out before a read.</summary>
/// <param name="Unchanged">The cursor proves that nothing under rootPath changed, deletions included: the read is skipped.</param>
/// <param name="Cursor">The cursor to return with this read's snapshot: taken before the full read (so a change made
/// while it runs is seen next time); null when the server offers no change tracking this source can use.</param>
/// <param name="Reason">Why the query's cursor did not prove the directory unchanged; null when it did or there was none.</param>
internal sealed record LdapChangeCheck(bool Unchanged, string? Cursor, string? Reason);
