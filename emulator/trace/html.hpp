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

namespace tl {

struct PageOptions {
    Language language = Language::En; // the page's own words; the run's sentences stay English
};

void render_lab_page(std::ostream&, std::span<ChartRun const>, PageOptions const&);

// The player's JavaScript, as compiled in (the playground embeds the same script).
std::string_view lab_player_script();
// The page's style sheet.
std::string_view lab_style_sheet();

}
