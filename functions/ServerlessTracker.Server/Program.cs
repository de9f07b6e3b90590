using ServerlessTracker.Hosting;
using ServerlessTracker.Http.Hosting;

// Socket completions run inline on the epoll threads (with Kestrel's inline scheduling, an announce is
// parsed and answered there): measured ~25% less CPU per announce on new connections. An operator's
// own setting of the variable wins. Read lazily by the sockets layer, so setting it first thing works.
const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
if (Environment.GetEnvironmentVariable(InlineCompletions) is null)
{
    Environment.SetEnvironmentVariable(InlineCompletions, "1");
}

// The whole app is assembled in TrackerApp so the tests run exactly what ships.
var app = TrackerApp.Build(args);
app.RunUntilStopped();
