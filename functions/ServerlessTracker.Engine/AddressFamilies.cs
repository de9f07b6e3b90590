namespace ServerlessTracker.Engine;

/// <summary>Which address families a requester can use; UDP answers carry one family, HTTP both.</summary>
[Flags]
public enum AddressFamilies : byte
{
    None = 0,
    IPv4 = 1,
    IPv6 = 2,
    Both = IPv4 | IPv6,
}
