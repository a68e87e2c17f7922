namespace DirectoryConnector.Cli.Migration;

/// <summary>What a conversion note tells the administrator.</summary>
internal enum MigrationNoteKind
{
    /// <summary>A setting with no equivalent here: it is left out, and the note says why.</summary>
    NotCarriedOver,

    /// <summary>A setting carried over in another form, or a behaviour that differs: check it.</summary>
    Changed,

    /// <summary>Something to do before the manifests work, such as filling a Secret placeholder.</summary>
    ToDo,
}
