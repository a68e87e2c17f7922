namespace DirectoryConnector.TestSupport.Tools;

/// <summary>Exit code, stdout and stderr of an external tool run.</summary>
public sealed record ToolResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}
