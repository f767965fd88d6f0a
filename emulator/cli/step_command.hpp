#pragma once

// `ticklab step PROGRAM`: run a program tick by tick, like a debugger (see lesson/stepper.hpp
// for the commands). Line editing and history come from libedit when a person is at a
// terminal; piped commands are read line by line and echoed, so a transcript reads like a
// session.

#include "cli/run_command.hpp"
#include "lesson/player.hpp"

#include <CLI/CLI.hpp>

namespace tl {

CLI::App* add_step_subcommand(CLI::App&, RunSettings&);
int step_command(RunSettings const&);

// Reads a line after a prompt: with libedit on a terminal, else plainly (echoing the line).
LineReader terminal_line_reader();

}
