#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace tl {

// Where ticklab's bundled programs and lessons live, most specific first: $TICKLAB_DATA,
// the installed share/ticklab beside the binary, the configured install prefix, and the
// source tree the binary was built from.
std::vector<std::filesystem::path> data_directories();

struct LoadedFile {
    std::string name;    // as shown in diagnostics
    std::string content;
};

// Finds a program the way a learner names it: a path ("programs/kitchen.tl"), a path without
// its .tl ("programs/kitchen"), or a bundled program's name ("kitchen") from any directory.
// With `allow_stdin`, "-" is standard input, read to its end and named "<stdin>" (the
// commands a learner runs allow it; a lesson's @run lines do not: stdin holds the answers).
// A relative path is read under BASE when given (a lesson's folder), else under the working
// directory. On failure returns a one-line error ("cannot open 'x': no such file ...").
// A policy file as `--scheduler` names it: the path itself when it exists, else the bundled
// copy of that relative path in a data directory ("policies/sjf.lua" from any directory),
// else the name unchanged (reading it then fails with the name in the message).
std::string find_policy_file(std::string const& name);

std::optional<LoadedFile> load_program_file(std::string const& name, std::string& error, bool allow_stdin = false,
    std::filesystem::path const& base = {});

}
