#pragma once

// The interactive lab page (--format html): one self-contained HTML file (inline CSS and
// JavaScript, no network) that plays a run tick by tick. The run's data is embedded as JSON;
// a small player (html_player.js, compiled in) moves a cursor over the chart and shows, at
// the current tick, what each core runs, the ready queues, the shared variables, the mutexes,
// the bus, the RAM map and that tick's narration (the --explain sentences). Without
// JavaScript, or printed, the page is the static chart and tables. See docs/visual.md.

#include "lesson/lesson.hpp"
#include "trace/visual.hpp"

#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tl {

struct PageOptions {
    Language language = Language::En; // the page's own words; the run's sentences stay English
};

// A data race the page reports: two threads touched one shared variable, at least one wrote,
// not both atomically, no mutex was held by both, and no spawn or join ordered them (a lockset
// check, see docs/visual.md).
struct PageRace {
    ProcessId process = no_process;
    std::int32_t variable = -1;
    ThreadId first = no_thread; // the earlier access
    ThreadId second = no_thread;
    std::int32_t first_line = 0;
    std::int32_t second_line = 0;
    bool first_writes = false;
    bool second_writes = false;
    Tick tick = 0; // of the second access, when the race showed
};
// One race per variable and pair of threads, in the order they showed.
std::vector<PageRace> find_page_races(Trace const&);

void render_lab_page(std::ostream&, std::span<ChartRun const>, PageOptions const&);

// The player's JavaScript, as compiled in (the playground embeds the same script).
std::string_view lab_player_script();
// The page's style sheet.
std::string_view lab_style_sheet();

}
