using ServerlessTracker.Functions.Hosting;

// The whole app is assembled in TrackerApp so the tests run exactly what ships.
var app = TrackerApp.Build(args);
app.Run();
