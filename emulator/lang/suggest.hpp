#pragma once

// "Did you mean ...?": the one edit distance and the one nearest-name search that every
// message of ticklab suggesting a name uses (instructions, keywords, attributes, variables,
// policies and their settings, commands, lesson directives, measures and runs).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace tl {

// Levenshtein distance: the fewest insertions, deletions and replacements from one to the other.
std::size_t edit_distance(std::string_view, std::string_view);

// How close a candidate must be to be suggested.
struct Nearness {
    std::size_t max_edits = 2;
    // Grow the limit with the word: a third of its length (at least one edit), for long names.
    bool scaled = false;
    // Refuse a candidate that shares less than half with the word (as "x" and "io").
    bool shares_half = false;
};

// Keeps the nearest of the candidates offered, the first one among equally near ones.
class NearestName {
public:
    explicit NearestName(std::string_view word, Nearness rule = {});
    void offer(std::string_view candidate);
    std::optional<std::string_view> best() const { return m_best; }

private:
    std::string_view m_word;
    std::size_t m_limit;
    bool m_shares_half;
    std::optional<std::string_view> m_best;
    std::size_t m_best_distance = 0;
};

// The nearest of `candidates` (anything that reads as string_views) to a mistyped word.
template<typename Candidates>
std::optional<std::string_view> nearest(std::string_view word, Candidates const& candidates, Nearness rule = {})
{
    NearestName search(word, rule);
    for (std::string_view candidate : candidates)
        search.offer(candidate);
    return search.best();
}

// "; did you mean 'NAME'?", or "" when there is no suggestion.
std::string did_you_mean(std::optional<std::string_view> suggestion);

}
