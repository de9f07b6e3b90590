using ServerlessTracker.Hosting;
using ServerlessTracker.UdpRelay.Hosting;

// The UDP relay: BEP 15 announce/scrape on the tracker's engine and store.
// Configuration: Relay:* (RelayOptions), Tracker:Swarm:* (SwarmSettings), and the store's own keys.
// Options are read and validated once at start: no file watcher for appsettings.json (it only costs start-up).
var builder = Host.CreateApplicationBuilder(["--hostBuilder:reloadConfigOnChange=false", .. args]);
builder.Services.AddUdpRelay(builder.Configuration);
builder.Services.AddSwarmStore(builder.Configuration);
builder.Build().RunUntilStopped();
