using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServerlessTracker.Http.Hosting;
using ServerlessTracker.Http.Network;

namespace ServerlessTracker.Http.Tests.Network;

/// <summary>Which front-end header names the client, per host: the platform's <c>client-ip</c> only under the Functions host and
/// only from the loopback; a header the operator names from every trusted proxy; none self-hosted by default.</summary>
public sealed class WhenReadingTheClientAddress
{
    private const string Forged = "203.0.113.66";

    [Fact]
    public void UnderTheHostClientIpIsBelievedFromTheLoopback()
    {
        var reader = Reader(FunctionsHost.Worker);
        Assert.Equal(IPAddress.Parse("198.51.100.7"), reader.Read(Request("127.0.0.1", ("client-ip", "198.51.100.7:51413"))));
        Assert.Equal(IPAddress.Parse("198.51.100.7"), reader.Read(Request("::1", ("client-ip", "198.51.100.7"))));
    }

    [Fact]
    public void UnderTheHostClientIpFromAnotherTrustedProxyIsNotBelieved()
    {
        // The platform overwrites client-ip only on the way to the host: an operator's extra proxy passes a client's own value.
        var reader = Reader(FunctionsHost.Worker, ("Tracker:Network:TrustedProxies:0", "10.0.0.0/8"));
        Assert.Equal(IPAddress.Parse("198.51.100.9"), reader.Read(Request("10.1.1.1", ("client-ip", Forged), ("X-Forwarded-For", "198.51.100.9"))));
    }

    [Fact]
    public void SelfHostedClientIpIsNeverReadUnlessNamed()
    {
        var reader = Reader(FunctionsHost.Standalone, ("Tracker:Network:TrustedProxies:0", "127.0.0.0/8"));
        Assert.Equal(IPAddress.Loopback, reader.Read(Request("127.0.0.1", ("client-ip", Forged))));
        Assert.Equal(IPAddress.Parse("198.51.100.9"), reader.Read(Request("127.0.0.1", ("client-ip", Forged), ("X-Forwarded-For", "198.51.100.9"))));
    }

    [Fact]
    public void ANamedHeaderIsBelievedFromEveryTrustedProxyAndOnlyThere()
    {
        var reader = Reader(FunctionsHost.Standalone, ("Tracker:Network:TrustedProxies:0", "10.0.0.0/8"), ("Tracker:Network:ClientIpHeader", "X-Real-IP"));
        Assert.Equal(IPAddress.Parse("198.51.100.3"), reader.Read(Request("10.1.1.1", ("X-Real-IP", "198.51.100.3"), ("client-ip", Forged))));
        Assert.Equal(IPAddress.Parse("192.0.2.1"), reader.Read(Request("192.0.2.1", ("X-Real-IP", Forged))));
    }

    [Fact]
    public void AnEmptyHeaderNameSwitchesClientIpOffEvenUnderTheHost()
    {
        var reader = Reader(FunctionsHost.Worker, ("Tracker:Network:ClientIpHeader", ""));
        Assert.Equal(IPAddress.Parse("198.51.100.9"), reader.Read(Request("127.0.0.1", ("client-ip", Forged), ("X-Forwarded-For", "198.51.100.9"))));
    }

    private static ClientAddressReader Reader(FunctionsHost host, params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        var services = new ServiceCollection().AddLogging().AddTracker(configuration, host);
        return services.BuildServiceProvider().GetRequiredService<ClientAddressReader>();
    }

    private static DefaultHttpContext Request(string remote, params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        foreach (var (name, value) in headers)
        {
            context.Request.Headers[name] = value;
        }

        return context;
    }
}
