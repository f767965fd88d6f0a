#pragma once

// The output formats of `ticklab run` (--format), in one table.

#include "trace/trace.hpp"

#include <ostream>
#include <string>
#include <string_view>

namespace tl {

bool is_output_format(std::string_view);
std::string output_format_names(); // "table, summary, json"

// Renders a finished run in the given format (which must be valid).
void print_run(std::ostream&, Trace const&, std::string_view format);

}
