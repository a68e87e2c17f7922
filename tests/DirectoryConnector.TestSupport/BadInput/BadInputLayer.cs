namespace DirectoryConnector.TestSupport.BadInput;

/// <summary>Where a bad input is refused, from the earliest to the latest point a user meets it.</summary>
public enum BadInputLayer
{
    /// <summary>The API server, at `kubectl apply`: the CRD's structural schema and CEL rules (Operator.Tests, through
    /// the Kubernetes API emulator and the real kubectl).</summary>
    Admission,

    /// <summary>`directory-connector test`/`sync -f` before anything is read or sent (exit 2); the operator's
    /// InvalidSpec/SecretNotFound for the same spec (Cli.Tests).</summary>
    Manifest,

    /// <summary>`directory-connector sync` against the Bitwarden stand-in (and slapd) with an organization that already
    /// has members: the directory or Bitwarden says no, or entries cannot be sent (Cli.Tests).</summary>
    Sync,

    /// <summary>The operator's Ready condition, end to end against the emulator and the Bitwarden stand-in (Operator.Tests).</summary>
    Operator,
}
