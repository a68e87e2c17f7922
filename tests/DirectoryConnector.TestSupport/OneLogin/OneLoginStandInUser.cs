namespace DirectoryConnector.TestSupport.OneLogin;

/// <summary>A user in the stand-in's account. Status values as OneLogin documents them: 0 unactivated, 1 active,
/// 2 suspended, 3 locked, 4 password expired, 5 awaiting password reset, 7 password pending, 8 security questions required.</summary>
public sealed record OneLoginStandInUser(long Id, string? Username, string? Email, int Status = 1, string? Firstname = null, string? Lastname = null)
{
    /// <summary>0 unapproved, 1 approved, 2 rejected, 3 unlicensed.</summary>
    public int State { get; init; } = 1;
}
