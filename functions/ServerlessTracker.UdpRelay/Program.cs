using ServerlessTracker.UdpRelay.Hosting;

// The UDP relay: BEP 15 announce/scrape on the tracker's engine and store.
// Configuration: Relay:* (RelayOptions), Tracker:Swarm:* (SwarmSettings), and the store's own keys.
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddUdpRelay(builder.Configuration);
builder.Services.AddSwarmStore(builder.Configuration);
builder.Build().Run();
