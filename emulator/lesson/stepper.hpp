#pragma once

// `ticklab step`: a program run tick by tick, like a debugger. A command goes in, text comes
// out; the command line adds the prompt and line editing.
//
// The Machine is driven live with MachineConfig::step_every_tick, so it stops at every tick
// and can be asked about any thread, process or RAM. Going back one tick replays the run
// from the start to the tick before: runs are deterministic, so the replay is the same run.
// Each stop shows that tick's row of the per-tick table, rendered from the whole run (which
// is the same trace, tick for tick) so its columns line up at every stop.

#include "engine/machine.hpp"
#include "lang/program.hpp"
#include "lesson/table_rows.hpp"
#include "sched/registry.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tl {

class Stepper {
public:
    // The run must be able to start (start_run succeeds with these).
    Stepper(Program, MachineConfig, SchedulerOptions, std::string scheduler);

    // What is being stepped, and how to drive it.
    std::string banner() const;
    // The table's header and the current tick's row (and a line when the run has ended).
    std::string current() const;

    struct Reply {
        std::string text;
        bool quit = false;
    };
    Reply execute(std::string_view command);

    Tick now() const { return m_machine->now(); }
    bool ended() const { return m_machine->ended(); }

private:
    struct Breakpoint {
        int id = 0;
        std::string event; // block, wake, dispatch, ...
        std::string who;   // a thread or process name; "" for anyone
    };

    void restart();
    void replay_to(Tick);
    // Moves forward up to `ticks` ticks, stopping early at a breakpoint; the text says why
    // it stopped, if not because the ticks ran out.
    std::string forward(Tick ticks);
    std::optional<std::string> breakpoint_hit(Event const&) const;

    std::string help() const;
    std::string add_breakpoint(std::vector<std::string> const& words);
    std::string list_breakpoints() const;
    std::string delete_breakpoints(std::vector<std::string> const& words);
    std::string inspect_thread(std::string_view name) const;
    std::string inspect_process(std::string_view name) const;
    std::string queues() const;
    std::string ram() const;
    std::string bus() const;
    std::string table_so_far() const;

    std::optional<ThreadId> find_thread(std::string_view) const;
    std::optional<ProcessId> find_process(std::string_view) const;
    Tick ran_so_far(ThreadId) const;
    // How the run ended and what became of each thread; "" while it goes on.
    std::string ending() const;

    Program m_program;
    MachineConfig m_config;
    SchedulerOptions m_options;
    std::string m_scheduler;
    Trace m_whole;    // the whole run, for table rows
    TableRows m_rows;
    std::unique_ptr<Machine> m_machine;
    std::size_t m_seen_events = 0;
    std::vector<Breakpoint> m_breakpoints;
    int m_next_breakpoint = 1;
    std::string m_last_move; // repeated by an empty command, like a debugger
};

}
