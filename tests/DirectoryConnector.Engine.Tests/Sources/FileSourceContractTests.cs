using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.File;
using Microsoft.Extensions.Logging.Abstractions;

namespace DirectoryConnector.Engine.Tests.Sources;

/// <summary>The file source against the source contract, with the contract directory as an LDIF export.</summary>
public sealed class FileSourceContractTests : DirectorySourceContract, IDisposable
{
    private const string BaseDn = "ou=Contract,dc=contract,dc=test";
    private readonly string _directory = Directory.CreateTempSubdirectory("file-contract-").FullName;
    private bool _added;
    private bool _removed;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PathOfExport => Path.Combine(_directory, "directory.ldif");

    protected override string UserWithoutEmailEntry => $"uid={ContractDirectory.UserWithoutEmail},ou=People,{BaseDn}";

    protected override async Task<IDirectorySource> CreateSourceAsync()
    {
        await WriteAsync();
        return FileSource.Create(new FileSourceSpec { Path = PathOfExport }, new InMemoryReferences(), NullLogger<FileSource>.Instance);
    }

    protected override Task<IDirectorySource> CreateFailingSourceAsync() =>
        Task.FromResult<IDirectorySource>(FileSource.Create(
            new FileSourceSpec { ConfigMapRef = new ConfigMapKeyRef { Name = "missing", Key = "directory.ldif" } },
            new InMemoryReferences(), NullLogger<FileSource>.Instance));

    protected override Task AddUserAsync()
    {
        _added = true;
        return WriteAsync();
    }

    protected override Task RemoveFirstUserAsync()
    {
        _removed = true;
        return WriteAsync();
    }

    private Task WriteAsync() => File.WriteAllTextAsync(PathOfExport, ContractDirectory.Ldif(BaseDn, _added, _removed));
}
