using System.Text;
using Microsoft.Extensions.Logging;
using YamlDotNet.Core;

namespace DirectoryConnector.Operator.Hosting.Kubeconfig;

/// <summary>
/// Writes an oidc auth-provider's refreshed tokens back into the kubeconfig file that defines the user, as client-go's
/// persister does (k8s.io/client-go/tools/clientcmd/config.go, PersisterForUser → ModifyConfig: the user's
/// LocationOfOrigin, with KUBECONFIG's files the first that defines it), so the next process starts with the new
/// id-token and, when the issuer rotated it, the refresh-token that is still valid. Only those keys change; the rest of
/// the file stays byte for byte (<see cref="KubeconfigAuthProviderEditor"/>). Like client-go it takes
/// <c>&lt;file&gt;.lock</c> (created exclusively) while it reads and writes, so kubectl and this process never
/// interleave; unlike client-go the file is replaced atomically (a temporary file in the same folder, then a rename)
/// with its mode kept, and a symbolic link is followed to the file it names. As with client-go, a file that cannot be
/// written never fails the request: a warning says what is lost. No log line holds a token.
/// </summary>
internal sealed partial class KubeconfigAuthProviderPersister(string file, string user)
{
    public string File => file;

    public string User => user;

    /// <summary>Sets <paramref name="values"/> (id-token, and refresh-token when the issuer rotated it) in the file.</summary>
    public void Persist(IReadOnlyList<KeyValuePair<string, string>> values, bool refreshTokenRotated, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(logger);
        var consequence = refreshTokenRotated
            ? "the issuer rotated the refresh-token: the one in the file is no longer valid, so once this process exits a new login is needed"
            : "the next process refreshes the id-token again";
        var lockFile = Path.GetFullPath(file) + ".lock";
        FileStream? held = null;
        try
        {
            try
            {
                held = new FileStream(lockFile, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, Options = FileOptions.DeleteOnClose });
            }
            catch (IOException) when (System.IO.File.Exists(lockFile))
            {
                LogNotSaved(logger, user, file, $"{lockFile} exists (another program is writing the file, or left it behind: remove it if none is)", consequence);
                return;
            }

            var target = System.IO.File.ResolveLinkTarget(file, returnFinalTarget: true)?.FullName ?? Path.GetFullPath(file);
            var bytes = System.IO.File.ReadAllBytes(target);
            var bom = bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble);
            var text = Encoding.UTF8.GetString(bom ? bytes[Encoding.UTF8.Preamble.Length..] : bytes);
            var edited = KubeconfigAuthProviderEditor.SetConfigValues(text, user, values, out var reason);
            if (edited is null)
            {
                LogNotSaved(logger, user, file, reason, consequence);
                return;
            }

            if (edited == text)
            {
                return;
            }

            // The edit must read back as intended before it replaces the file.
            var written = KubeconfigReader.AuthProviderConfig(edited, user);
            if (written is null || values.Any(v => written.GetValueOrDefault(v.Key) != v.Value))
            {
                LogNotSaved(logger, user, file, "its layout could not be edited safely", consequence);
                return;
            }

            Replace(target, bom ? [.. Encoding.UTF8.Preamble, .. Encoding.UTF8.GetBytes(edited)] : Encoding.UTF8.GetBytes(edited));
            var keys = string.Join(" and ", values.Select(v => v.Key));
            LogSaved(logger, user, file, keys);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogNotSaved(logger, user, file, e.Message, consequence);
        }
        catch (YamlException e)
        {
            // The position only: the text there may be a token.
            LogNotSaved(logger, user, file, $"it is no longer valid YAML (line {e.Start.Line}, column {e.Start.Column})", consequence);
        }
        finally
        {
            held?.Dispose();
        }
    }

    // A reader sees the old file or the new one, never part of either; the new one has the old one's mode.
    private static void Replace(string target, byte[] content)
    {
        var temporary = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        var unix = !OperatingSystem.IsWindows();
        var mode = unix ? System.IO.File.GetUnixFileMode(target) : default;
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (unix)
        {
            // Never readable by more than the file was, not even before the mode is set below (umask may narrow it).
            options.UnixCreateMode = mode;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            if (unix)
            {
                System.IO.File.SetUnixFileMode(temporary, mode);
            }

            System.IO.File.Move(temporary, target, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try
            {
                System.IO.File.Delete(temporary);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // The first failure is the one to report.
            }

            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Saved the refreshed {Keys} of kubeconfig user {User} in {File}")]
    private static partial void LogSaved(ILogger logger, string user, string file, string keys);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not save the refreshed OIDC tokens of kubeconfig user {User} in {File}: {Reason}; {Consequence}")]
    private static partial void LogNotSaved(ILogger logger, string user, string file, string reason, string consequence);
}
