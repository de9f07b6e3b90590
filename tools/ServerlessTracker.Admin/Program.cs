using ServerlessTracker.Admin;

// st-admin: manage a ServerlessTracker through its admin API. `st-admin --help` lists the commands.
return await AdminCli.RunAsync(args, Console.Out, Console.Error, Environment.GetEnvironmentVariable);
