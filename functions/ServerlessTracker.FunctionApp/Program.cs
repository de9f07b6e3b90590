using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using ServerlessTracker.FunctionApp.Hosting;
using ServerlessTracker.Hosting;

// The isolated worker the Functions host starts (it passes --functions-uri and the rest). Without a host it stops at
// once: the self-hosted tracker is functions/ServerlessTracker.Server, over the same core.
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.AddTrackerFunctionApp();
builder.Build().RunUntilStopped();
