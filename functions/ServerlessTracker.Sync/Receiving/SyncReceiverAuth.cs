using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace ServerlessTracker.Sync.Receiving;

/// <summary>Checks that a delivery presents the receiver key (query <c>code</c> or header <c>aeg-sas-key</c>), in constant time.</summary>
public sealed class SyncReceiverAuth(IOptions<SyncOptions> options)
{
    private readonly byte[]? _key = string.IsNullOrEmpty(options.Value.ReceiverKey) ? null : Encoding.UTF8.GetBytes(options.Value.ReceiverKey);

    /// <summary>False when no key is configured: the webhook is then closed.</summary>
    public bool IsConfigured => _key is not null;

    public bool IsAuthorized(HttpRequest request)
    {
        if (_key is null)
        {
            return false;
        }

        var presented = request.Headers["aeg-sas-key"].ToString();
        if (presented.Length == 0)
        {
            presented = request.Query["code"].ToString();
        }

        return presented.Length > 0 && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _key);
    }
}
