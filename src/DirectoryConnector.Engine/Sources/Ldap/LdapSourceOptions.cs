namespace DirectoryConnector.Engine.Sources.Ldap;

/// <summary>Tuning that is not part of the spec.</summary>
internal sealed class LdapSourceOptions
{
    /// <summary>When set, member values are requested in windows of this size (member;range=0-N). Windows AD imposes
    /// its own window (1500); Samba honours an explicit one but imposes none, so tests set this to force several chunks.</summary>
    public int? MemberRangeWindow { get; init; }

    /// <summary>Client-side limit of each LDAP operation (connect, StartTLS or TLS handshake, bind, one page).</summary>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Server-side time limit of each search, as the original connector uses (300 s).</summary>
    public TimeSpan SearchTimeLimit { get; init; } = TimeSpan.FromSeconds(300);
}
