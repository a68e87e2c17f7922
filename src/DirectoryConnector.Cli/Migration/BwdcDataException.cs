namespace DirectoryConnector.Cli.Migration;

/// <summary>data.json cannot be converted: <see cref="Key"/> is the key as written in the file (e.g.
/// <c>directoryLdap.hostname</c>), the message says what is wrong with it. Never carries a secret value.</summary>
internal sealed class BwdcDataException(string key, string problem) : Exception($"{key}: {problem}")
{
    public string Key { get; } = key;
}
