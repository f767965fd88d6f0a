#pragma once

// `ticklab step PROGRAM`: run a program tick by tick, like a debugger (see lesson/stepper.hpp
// for the commands). Line editing and history come from libedit when a person is at a
// terminal; piped commands are read line by line and echoed, so a transcript reads like a
// session.

#include "cli/run_command.hpp"
#include "lesson/player.hpp"


// CLI11 is included by the .cpp files that define options; declaring its two types here
// keeps the heavy header out of every file that includes this one.
namespace CLI {
class App;
class Option;
}

namespace tl {

// The options of `ticklab step`, added to its subcommand.
void add_step_options(CLI::App&, RunSettings&);
int step_command(RunSettings const&);

// Reads a line after a prompt: with libedit on a terminal, else plainly (echoing the line).
// Prompts and answers are UTF-8 (Korean lessons, Korean thread names), and libedit decodes
// what is typed, and measures the prompt, by the C library's LC_CTYPE: in the "C" locale a
// program starts in, it drops every byte above 127 ("파스타" arrives empty) and crashes on a
// prompt that holds them. So on a terminal LC_CTYPE is made UTF-8 first (use_utf8_ctype);
// if no UTF-8 locale exists at all, the terminal is read without line editing.
LineReader terminal_line_reader();

// Sets LC_CTYPE (only it: numbers and messages stay "C") to the environment's locale when
// that is UTF-8, else to C.UTF-8; false when no UTF-8 locale can be had.
bool use_utf8_ctype();

}
