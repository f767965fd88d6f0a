#pragma once

// Bad input is reported as Diagnostic values; the library never prints them itself.

#include "lang/program.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace tl {

struct Diagnostic {
    std::string file;
    SourceLocation where;
    std::string message;
    std::string source_line; // the whole offending line, without its line ending
};

// Renders one diagnostic in the compiler style learners meet everywhere else:
//
//   programs/x.tl:3:12: error: expected a number of ticks after 'compute'
//       3 |     compute
//         |            ^
//
// Always ends with a newline.
// A diagnostic at line 0 is about the whole file: "file: error: message", no source line.
// A source line wider than a terminal is shown as a window around the caret.
std::string format_diagnostic(Diagnostic const&);

// A parser reports at most this many errors, then one saying how many there were.
inline constexpr std::size_t max_reported_errors = 50;
std::string format_diagnostics(std::vector<Diagnostic> const&);

}
