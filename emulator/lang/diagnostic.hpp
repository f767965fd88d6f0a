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
std::string format_diagnostic(Diagnostic const&);
std::string format_diagnostics(std::vector<Diagnostic> const&);

}
