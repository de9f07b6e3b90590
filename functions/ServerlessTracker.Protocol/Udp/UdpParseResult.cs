namespace ServerlessTracker.Protocol.Udp;

/// <summary>What to do with a UDP request that was read: serve it, answer with an error packet, or stay silent.</summary>
public enum UdpParseOutcome : byte
{
    Ok = 0,

    /// <summary>Answer with an error packet carrying <see cref="UdpParseResult.Error"/>.</summary>
    Error,

    /// <summary>Send nothing: the packet cannot be answered, or answering could amplify a spoofed request.</summary>
    Drop,
}

/// <summary>The outcome of reading one UDP request: failures are values, never exceptions.</summary>
public readonly record struct UdpParseResult(UdpParseOutcome Outcome, UdpRequestError Error)
{
    public static UdpParseResult Ok => default;

    public static UdpParseResult Drop => new(UdpParseOutcome.Drop, UdpRequestError.None);

    public bool IsOk => Outcome == UdpParseOutcome.Ok;

    public static UdpParseResult Fail(UdpRequestError error) => new(UdpParseOutcome.Error, error);
}
