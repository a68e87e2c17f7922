using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.File;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.Engine.Tests.Sources;
using FluentAssertions;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Hardening;

/// <summary>
/// Issue 15's first hole: a file source pointed at a file that is not an export (a service-account token, a key)
/// made the parse error quote the file into status and events. Errors may say where (line, column, JSON path) and
/// what is expected, never what the file holds; and a host without local files (the operator) never reads a path.
/// </summary>
public sealed class FileContentNeverQuotedTests : IDisposable
{
    // Looks like a service-account token (a JWT) and like key material: neither may appear in any message.
    private const string Token = "eyJhbGciOiJSUzI1NiIsImtpZCI6IlNFTlRJTkVMIn0.c2VjcmV0LXNlbnRpbmVsLTQyNDI";
    private const string Sentinel = "SENTINEL";

    private readonly string _directory = Directory.CreateTempSubdirectory("file-hardening-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public static TheoryData<string, string, string> SecretLookingFiles() => new()
    {
        // file name, content, what the message must still say
        { "token.ldif", Token, "line 1: expected 'attribute: value'" },
        { "token-with-colon.ldif", $"token: {Token}\n", "line 1: a record must start with 'dn:'" },
        { "key.ldif", $"dn: cn=x,dc=example,dc=com\n-----BEGIN PRIVATE KEY-----\n{Token}\n", "line 2:" },
        { "dn.ldif", $"dn: {Token}{Sentinel}\n", "line 1: the dn is not a distinguished name" },
        { "attr.ldif", $"dn: cn=x,dc=example,dc=com\n{Sentinel} {Token}: x\n", "line 2: the text before ':' is not an attribute description" },
        { "version.ldif", $"version: {Sentinel}\n", "line 1: unsupported LDIF version" },
        { "changetype.ldif", $"dn: cn=x,dc=example,dc=com\nchangetype: {Sentinel}\n", "line 2: this changetype is not supported" },
        { "token.json", Token, "line 1, column 1: not valid JSON" },
        { "later.json", "{\n  \"users\": [\n    {\"id\": \"" + Sentinel + "\"} " + Token + "\n  ]\n}", "line 3" },
        { "string.json", $$"""{"users":[{"id":"u1","disabled":"{{Sentinel}}{{Token}}"}]}""", "$.users[0].disabled: expected true or false, found a string" },
        { "number.json", """{"users":[{"id":4242424242}]}""", "$.users[0].id: expected a string, found a number" },
        { "duplicate.json", $$"""{"users":[{"id":"{{Sentinel}}"}],"groups":[{"id":"{{Sentinel}}","name":"x"}]}""", "$.groups[0].id: is already the id of $.users[0]" },
    };

    [Theory]
    [MemberData(nameof(SecretLookingFiles))]
    public async Task AParseErrorSaysWhereButNeverQuotesTheFile(string name, string content, string expected)
    {
        var path = Path.Combine(_directory, name);
        await File.WriteAllTextAsync(path, content);
        var read = () => FileSource.Create(new FileSourceSpec { Path = path }, new InMemoryReferences(), NullLogger<FileSource>.Instance)
            .ReadAsync(new DirectoryQuery(true, true, false), CancellationToken.None);

        var failure = (await read.Should().ThrowAsync<SyncFailedException>()).Which;

        failure.Reason.Should().Be(SyncFailureReason.InvalidSpec);
        failure.Message.Should().Contain(name).And.Contain(expected);
        foreach (var text in new[] { failure.Message, failure.ToString() })
        {
            text.Should().NotContain(Sentinel).And.NotContain("eyJhbGci").And.NotContain("c2VjcmV0").And.NotContain("PRIVATE KEY");
        }
    }

    [Fact]
    public async Task AHostWithoutLocalFilesRefusesAPathWithoutReadingIt()
    {
        // What the operator's resolver answers (the interface's default): the path is refused before any read.
        var path = Path.Combine(_directory, "token");
        await File.WriteAllTextAsync(path, Token);
        var operatorLike = new InMemoryReferences { AllowsLocalFiles = false };

        var create = () => FileSource.Create(new FileSourceSpec { Path = path, Format = FileFormat.Ldif }, operatorLike, NullLogger<FileSource>.Instance);

        var failure = create.Should().Throw<SyncFailedException>().Which;
        failure.Reason.Should().Be(SyncFailureReason.InvalidSpec);
        failure.Retryable.Should().BeFalse();
        failure.Message.Should().Contain("spec.source.file.path").And.Contain("configMapRef").And.NotContain("eyJhbGci");
    }

    [Fact]
    public async Task TheSourceProvidersRefuseAPathForAHostWithoutLocalFiles()
    {
        var path = Path.Combine(_directory, "export.ldif");
        await File.WriteAllTextAsync(path, "dn: cn=x,dc=example,dc=com\nobjectClass: person\nmail: x@example.com\n");
        var spec = TestSupport.EngineServices.Validator.Check(new DirectorySyncSpec
        {
            Bitwarden = new BitwardenSpec { ApiKeySecretRef = new ApiKeySecretRef { Name = "bw-key" } },
            Source = new SourceSpec { File = new FileSourceSpec { Path = path } },
        });

        var create = () => spec.CreateSourceAsync(new InMemoryReferences { AllowsLocalFiles = false }, CancellationToken.None);

        (await create.Should().ThrowAsync<SyncFailedException>()).Which.Message.Should().Be(FileSource.NoLocalFiles);
        (await spec.CreateSourceAsync(new InMemoryReferences(), CancellationToken.None)).Should().NotBeNull("the CLI reads the same path");
    }

    [Fact]
    public void OnlyAHostThatOptsInAllowsLocalFiles()
        => ((IReferenceResolver)new NoLocalFilesResolver()).AllowsLocalFiles.Should().BeFalse();

    private sealed class NoLocalFilesResolver : IReferenceResolver
    {
        public Task<string> GetSecretValueAsync(string secretName, string key, string keyField, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<string> GetConfigMapValueAsync(string configMapName, string key, string keyField, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
