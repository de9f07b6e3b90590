using ServerlessTracker.Fuzz;

// Coverage-guided fuzzing of the tracker's parsers (docs/reliability.md, tools/fuzz/run.sh):
//   ServerlessTracker.Fuzz list                         the targets
//   ServerlessTracker.Fuzz instrument DIR               adds SharpFuzz's coverage probes to our assemblies in DIR (once per build)
//   ServerlessTracker.Fuzz fuzz TARGET                  the loop afl-fuzz drives (reads one input from stdin when run by hand)
//   ServerlessTracker.Fuzz run TARGET FILE|DIR...       replays inputs (crashes, corpora) without AFL, on an uninstrumented build; exit 1 if one throws
return Cli.Run(args);
