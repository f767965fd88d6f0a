#pragma once

// `ticklab compare PROGRAM --left "OPTIONS" --right "OPTIONS"`: the same program on two
// machine/scheduler configurations, drawn on one time axis at one scale, with makespan,
// speed-up, efficiency and utilisation side by side. Without options it is the study note's
// picture: Jarvis alone on 1 core (round-robin) against three robots on 3 cores (per-core).

#include <string>

// CLI11 is included by the .cpp files that define options; declaring its two types here
// keeps the heavy header out of every file that includes this one.
namespace CLI {
class App;
class Option;
}

namespace tl {

struct CompareSettings {
    std::string file;
    std::string jobs;
    std::string left = "-c 1 -s rr";
    std::string right = "-c 3 -s per-core";
    std::string format = "gantt"; // gantt, svg or html
    std::string colour = "auto";
    int width = 0; // 0: $COLUMNS, else 80
    std::string language = "en"; // --lang: the words of the html page
};

// The options of `ticklab compare`, added to its subcommand.
void add_compare_options(CLI::App&, CompareSettings&);
int compare_command(CompareSettings const&);

}
