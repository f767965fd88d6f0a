#pragma once

// `ticklab step PROGRAM --manual`: the learner is the scheduler. Whenever a core needs a
// thread (it is free and threads are ready; with --quantum Q also when a slice ends) ticklab
// shows the ready threads, what each needs, and what each built-in policy would pick, and
// reads the choice: a thread's name or its number in the list, or `back` to undo the last
// choice. At the end, the learner's metrics beside every built-in policy's on the same
// workload. `--compare-with fcfs,sjf,rr` narrows both to those policies, in that order.
// `--choices FILE` answers from a file first (one name a line), then from standard input;
// from a script every line is one answer.

#include "cli/run_command.hpp"

namespace tl {

int manual_command(RunSettings const&, Prepared const&, Program const&);

}
