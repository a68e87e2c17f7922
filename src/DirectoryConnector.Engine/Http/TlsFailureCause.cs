namespace DirectoryConnector.Engine.Http;

/// <summary>Why a server's TLS certificate was refused (several can hold at once).</summary>
[Flags]
public enum TlsFailureCause
{
    /// <summary>No certificate problem was recorded: the handshake failed for another reason (protocol, cipher, reset).</summary>
    Handshake = 0,

    /// <summary>The chain does not end at a trusted CA (system store, or the caSecretRef bundle when one is given).</summary>
    UntrustedChain = 1,

    /// <summary>The certificate does not name the host of the URL (subject alternative names, RFC 6125).</summary>
    NameMismatch = 2,

    /// <summary>The certificate, or one in its chain, is past its notAfter date.</summary>
    Expired = 4,

    /// <summary>The certificate, or one in its chain, is before its notBefore date (often a wrong clock).</summary>
    NotYetValid = 8,

    /// <summary>The server sent no certificate.</summary>
    NoCertificate = 16,
}
