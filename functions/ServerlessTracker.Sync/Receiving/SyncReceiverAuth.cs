using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace ServerlessTracker.Sync.Receiving;

/// <summary>Checks that a delivery presents the receiver key in the <c>aeg-sas-key</c> header, in constant time.</summary>
/// <remarks>
/// A header only: a key in the query string ends up in access logs and proxies' URLs; Event Grid sends a header as a
/// static delivery attribute. (Under the Functions host the host checks its function key instead; see SyncEndpoints.)
/// Both sides are hashed (SHA-256) before the fixed-time comparison, so neither the key's bytes nor its length can be
/// learned from how long a refusal takes. A key longer than <see cref="MaxKeyLength"/> is refused without hashing.
/// </remarks>
public sealed class SyncReceiverAuth(IOptions<SyncOptions> options)
{
    /// <summary>The longest key presented that is hashed at all; longer is refused at once. Characters.</summary>
    public const int MaxKeyLength = 512;

    private readonly byte[]? _keyHash = string.IsNullOrEmpty(options.Value.ReceiverKey) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.ReceiverKey));

    /// <summary>False when no key is configured: the webhook is then closed.</summary>
    public bool IsConfigured => _keyHash is not null;

    public bool IsAuthorized(HttpRequest request)
    {
        if (_keyHash is null)
        {
            return false;
        }

        var presented = request.Headers["aeg-sas-key"].ToString();
        if (presented.Length is 0 or > MaxKeyLength)
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), hash);
        return CryptographicOperations.FixedTimeEquals(hash, _keyHash);
    }
}
