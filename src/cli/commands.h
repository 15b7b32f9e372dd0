// The subcommands of `cohort`, built on CLI11. Thin: each one is a REST call (or `serve`).
#pragma once

namespace cohort::cli {

// Parses argv and runs the chosen subcommand; returns the process exit code.
int Main(int argc, char** argv);

}  // namespace cohort::cli
