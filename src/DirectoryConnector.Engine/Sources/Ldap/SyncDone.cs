namespace DirectoryConnector.Engine.Sources.Ldap;

/// <summary>The Sync Done control's value (RFC 4533 §2.4).</summary>
/// <param name="Cookie">The state the refresh brought the client to; null when the server sent none (OpenLDAP's
/// syncprov sends none when nothing changed since the request's cookie).</param>
/// <param name="RefreshDeletes">True: the refresh ended in the delete phase, so entries it did not mention are
/// unchanged. False: it ended in the present phase, so every entry not reported present is gone.</param>
internal sealed record SyncDone(byte[]? Cookie, bool RefreshDeletes);
