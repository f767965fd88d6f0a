#include "lang/suggest.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <vector>

namespace tl {

std::size_t edit_distance(std::string_view a, std::string_view b)
{
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t above = row[j];
            row[j] = std::min({ row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1) });
            diagonal = above;
        }
    }
    return row[b.size()];
}

NearestName::NearestName(std::string_view word, Nearness rule)
    : m_word(word)
    , m_limit(rule.scaled ? std::max<std::size_t>(1, word.size() / 3) : rule.max_edits)
    , m_shares_half(rule.shares_half)
{
}

void NearestName::offer(std::string_view candidate)
{
    auto longer = std::max(m_word.size(), candidate.size());
    if (longer - std::min(m_word.size(), candidate.size()) > m_limit)
        return; // too far apart, and cheap to rule out on long garbage
    auto distance = edit_distance(m_word, candidate);
    if (distance > m_limit || (m_shares_half && 2 * distance >= longer))
        return;
    if (!m_best || distance < m_best_distance) {
        m_best = candidate;
        m_best_distance = distance;
    }
}

std::string did_you_mean(std::optional<std::string_view> suggestion)
{
    return suggestion ? fmt::format("; did you mean '{}'?", *suggestion) : std::string();
}

}
