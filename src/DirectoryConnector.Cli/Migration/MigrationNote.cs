namespace DirectoryConnector.Cli.Migration;

/// <summary>One line of the conversion report on stderr: the data.json key (or keys) and what became of it.
/// Never holds a secret value.</summary>
internal sealed record MigrationNote(MigrationNoteKind Kind, string Key, string Message)
{
    public override string ToString() => Kind switch
    {
        MigrationNoteKind.NotCarriedOver => $"not carried over: {Key}: {Message}",
        MigrationNoteKind.Changed => $"changed: {Key}: {Message}",
        _ => $"to do: {Key}: {Message}",
    };
}
