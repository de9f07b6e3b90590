namespace ServerlessTracker.FunctionApp.Tests.Host;

/// <summary>The emulator could not do what a host would (start, load, invoke); the message quotes the worker's output.</summary>
public sealed class FunctionsHostEmulatorException : Exception
{
    public FunctionsHostEmulatorException(string message)
        : base(message)
    {
    }

    public FunctionsHostEmulatorException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public FunctionsHostEmulatorException()
    {
    }
}
