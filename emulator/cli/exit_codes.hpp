#pragma once

// ticklab's exit codes, documented in docs/cli.md. Each kind of ending has its own.
namespace tl::exit_code {

inline constexpr int ok = 0;
inline constexpr int wrong_answers = 1; // quiz --check: some answer is wrong or missing
inline constexpr int usage = 2;       // the command line itself is wrong
inline constexpr int bad_input = 3;   // a program, jobs list or machine setting is wrong
inline constexpr int program_failed = 4; // the simulated program faulted or deadlocked
inline constexpr int tick_limit = 5;  // the run reached its tick limit
inline constexpr int out_of_memory = 6; // the computer ran out of memory for this run
inline constexpr int internal = 70;   // a ticklab bug
inline constexpr int output_failed = 74; // writing the output failed (sysexits' EX_IOERR)
inline constexpr int interrupted = 130; // stopped by Ctrl-C (SIGINT), after printing what was computed

}
