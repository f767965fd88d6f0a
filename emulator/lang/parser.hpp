#pragma once

#include "lang/diagnostic.hpp"
#include "lang/program.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace tl {

struct ParseResult {
    Program program;
    std::vector<Diagnostic> errors; // the errors in source order (at most max_reported_errors,
                                    // then one saying how many more); empty on success
    std::size_t error_count = 0;    // how many errors the file has in all
    bool ok() const { return errors.empty(); }
};

// Parses a whole program file. Never throws on bad input; keeps going after an error so
// that one pass reports them all.
ParseResult parse_program(std::string_view source, std::string file_name);

// Parses a quick-jobs list in the style of OSTEP's `-l`: "P1:0:24,P2:0:3" (name:arrival:burst,
// with an optional fourth field, the priority). Each job becomes a one-thread process of the
// same name that computes for its burst. Errors use the file name "--jobs", line 1, and a
// column inside the list.
ParseResult parse_jobs(std::string_view list);

}
