#pragma once

// `ticklab generate`: writes a seeded workload (gen/generator.hpp) as a program file, for
// big runs and benchmarks. Every option is checked with a one-line error before anything
// is written.

#include "gen/generator.hpp"

#include <string>

// CLI11 is included by the .cpp files that define options; declaring its two types here
// keeps the heavy header out of every file that includes this one.
namespace CLI {
class App;
class Option;
}

namespace tl {

struct GenerateSettings {
    GeneratorFlags flags; // as typed: the library checks them, so tests see the same messages
    std::string output;   // -o FILE; empty or "-": standard output
    bool force = false;   // --force: replace FILE even if ticklab did not write it
};

void add_generate_options(CLI::App&, GenerateSettings&);
int generate_command(GenerateSettings const&);

}
