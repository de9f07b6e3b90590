using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
// By default the worker ships four ASP.NET Core log lines per request over gRPC (functions-worker.md §10.7).
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Build().Run();
