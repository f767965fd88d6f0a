#pragma once

// Each thread's state over the run, as the textbook figures name them: the lab page's thread
// lanes (trace/html.cpp) and the Perfetto trace's thread tracks (trace/perfetto.cpp) both draw
// these spans, so the two tell the same story in the same words.

#include "trace/trace.hpp"

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace tl {

// A state's code (what the page's JSON and style sheet use), and its name in English and Korean.
struct StateName {
    std::string_view code;
    std::string_view en;
    std::string_view ko;
};
inline constexpr std::array thread_state_names {
    StateName { "new", "not arrived", "도착 전" },
    StateName { "memory", "waiting for memory", "메모리 대기" },
    StateName { "loading", "loading", "적재 중" },
    StateName { "ready", "ready", "준비" },
    StateName { "switch", "being switched in", "문맥 교환" },
    StateName { "run", "running", "실행" },
    StateName { "stall", "stalled on the bus", "버스 대기" },
    StateName { "io", "blocked: I/O", "대기: I/O" },
    StateName { "sleep", "blocked: sleep", "대기: sleep" },
    StateName { "await", "blocked: every task awaits", "대기: 모든 태스크 await" },
    StateName { "lock", "blocked: lock", "대기: 락" },
    StateName { "join", "blocked: join", "대기: join" },
    StateName { "gil", "blocked: GIL", "대기: GIL" },
    StateName { "done", "done", "종료" },
    StateName { "fault", "faulted", "오류로 종료" },
    StateName { "killed", "killed", "강제 종료" },
};

// The English name of a state code ("blocked: lock"); the code itself when it is unknown.
std::string_view state_name_en(std::string_view code);

struct StateSpan {
    Tick start = 0;
    Tick end = 0;
    std::string state;  // a code of thread_state_names
    std::string detail; // "fork2 (held by right)", "until 9", "core 1"
};

struct ThreadLanes {
    std::vector<std::vector<StateSpan>> spans; // per thread, over [0, end), in time order
    std::vector<StateSpan> finals;             // per thread: its state when the run ended
};

// Each thread's state over [0, end), from the events (what it waits for) and the slices
// (while it holds a core: running, being switched in, or stalled on the bus).
ThreadLanes thread_spans(Trace const&);

}
