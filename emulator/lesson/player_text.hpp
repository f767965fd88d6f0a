#pragma once

// The player's words on both sides: what it reads from a learner (an option by letter,
// number or name; a set of values "1 and 2") and small texts it writes (paragraphs
// rewrapped after their figures, picks, values).

#include "lesson/lesson.hpp"
#include "explore/explore.hpp"
#include "trace/trace.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tl::player_text {

// Each line of `text` behind `prefix` (an empty line gets the prefix without its trailing spaces).
std::string indented(std::string_view text, std::string_view prefix);

// A program file without the comment block it opens with: that block explains the program,
// often with the very answers a lesson asks for, and the lesson's prose does the explaining.
std::string_view without_header(std::string_view source);

// A figure is shorter on screen than in the lesson's source, so a paragraph with figures
// is wrapped again, at spaces, to the width lessons are written to. Paragraphs whose lines
// are items or indented keep their lines.
std::string rewrapped(std::string const& text);

// "pasta" or "a) It finishes sooner", without a final period before the evidence's dash.
std::string bare(std::string answer);

// The option the learner means: its letter, its number, or its text (or, for an option
// that is a name, a word the lesson's @names gives it: "파스타" for "- pasta").
std::optional<std::size_t> pick(std::string const& input, Block const& block, std::vector<NameAlias> const& aliases);

// The values `variable` ends with over every outcome, in order.
std::vector<std::int64_t> outcome_values(ExploreResult const& result, std::string const& variable);

std::string join_values(std::vector<std::int64_t> const& values);

// "1 2", "1, 2", "1 and 2", "1 또는 2": whole numbers, as a set; nothing when something
// else was typed.
std::optional<std::vector<std::int64_t>> parse_values(std::string const& input);

std::string picks_text(Trace const& trace, std::vector<ThreadId> const& answers, std::vector<bool> const& chosen);

}
