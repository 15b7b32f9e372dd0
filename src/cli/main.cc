// cohort: the command line (SPEC §8). `serve` runs the server; every other subcommand talks
// to a running server over its REST API.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.h"

int main(int argc, char** argv) { return cohort::cli::Main(argc, argv); }
