#include "lesson/player_text.hpp"

#include "engine/per_id.hpp"
#include "trace/render_util.hpp"

#include <algorithm>
#include <charconv>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace tl::player_text {

std::string indented(std::string_view text, std::string_view prefix)
{
    std::string out;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string_view::npos)
            end = text.size();
        auto line = text.substr(start, end - start);
        out += line.empty() ? std::string(prefix.substr(0, prefix.find_last_not_of(' ') + 1)) : std::string(prefix);
        out += line;
        out += '\n';
        start = end + 1;
    }
    return out;
}

// A program file without the comment block it opens with: that block explains the program,
// often with the very answers a lesson asks for, and the lesson's prose does the explaining.
std::string_view without_header(std::string_view source)
{
    std::size_t start = 0;
    while (start < source.size()) {
        auto end = source.find('\n', start);
        if (end == std::string_view::npos)
            end = source.size();
        auto line = source.substr(start, end - start);
        auto first = line.find_first_not_of(" \t\r");
        if (first != std::string_view::npos && line[first] != '#')
            break;
        start = end + 1;
    }
    return start < source.size() ? source.substr(start) : source;
}

// A figure is shorter on screen than in the lesson's source, so a paragraph with figures
// is wrapped again, at spaces, to the width lessons are written to. Paragraphs whose lines
// are items or indented keep their lines.
std::string rewrapped(std::string const& text)
{
    constexpr int width = 90;
    std::size_t start = 0;
    std::string_view all(text);
    while (start <= all.size()) {
        auto end = all.find('\n', start);
        if (end == std::string_view::npos)
            end = all.size();
        auto line = all.substr(start, end - start);
        if (!line.empty() && (line.front() == ' ' || line.front() == '-' || line.front() == '|'))
            return text;
        start = end + 1;
    }
    std::string out;
    for (auto const& line : wrap_words(text, width))
        out += (out.empty() ? "" : "\n") + line;
    return out;
}

// "pasta" or "a) It finishes sooner", without a final period before the evidence's dash.
std::string bare(std::string answer)
{
    while (!answer.empty() && answer.back() == '.')
        answer.pop_back();
    return answer;
}

// The option the learner means: its letter, its number, or its text (or, for an option
// that is a name, a word the lesson's @names gives it: "파스타" for "- pasta").
std::optional<std::size_t> pick(std::string const& input, Block const& block, std::vector<NameAlias> const& aliases)
{
    auto start = input.find_first_not_of(" \t");
    auto end = input.find_last_not_of(" \t)");
    auto text = input.substr(start, end == std::string::npos ? std::string::npos : end - start + 1);
    for (auto const& alias : aliases)
        if (alias.word == text)
            text = alias.name;
    auto count = block.options.size();
    if (text.size() == 1) {
        char c = text[0];
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
        if (c >= 'a' && c - 'a' < std::ssize(block.options))
            return index_of(c - 'a');
        if (c >= '1' && c - '1' < std::ssize(block.options))
            return index_of(c - '1');
    }
    for (std::size_t i = 0; i < count; ++i)
        if (block.options[i].text == text)
            return i;
    return std::nullopt;
}

// The values `variable` ends with over every outcome, in order.
std::vector<std::int64_t> outcome_values(ExploreResult const& result, std::string const& variable)
{
    std::vector<std::int64_t> values;
    for (auto const& outcome : result.outcomes)
        for (auto const& [name, value] : outcome.variables)
            if (name == variable)
                values.push_back(value);
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    return values;
}

std::string join_values(std::vector<std::int64_t> const& values)
{
    return fmt::format("{}", fmt::join(values, ", "));
}

// "1 2", "1, 2", "1 and 2", "1 또는 2": whole numbers, as a set; nothing when something
// else was typed.
std::optional<std::vector<std::int64_t>> parse_values(std::string const& input)
{
    std::vector<std::int64_t> values;
    std::string word;
    auto flush = [&]() -> bool {
        if (word.empty())
            return true;
        static constexpr std::string_view joiners[] = { "and", "or", "또는", "그리고" };
        bool joiner = std::find(std::begin(joiners), std::end(joiners), word) != std::end(joiners);
        std::int64_t value = 0;
        auto [end, status] = std::from_chars(word.data(), word.data() + word.size(), value);
        bool number = status == std::errc() && end == word.data() + word.size();
        word.clear();
        if (number)
            values.push_back(value);
        return number || joiner;
    };
    for (char c : input) {
        if (c == ' ' || c == '\t' || c == ',') {
            if (!flush())
                return std::nullopt;
        } else {
            word += c;
        }
    }
    if (!flush() || values.empty())
        return std::nullopt;
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    return values;
}

std::string picks_text(Trace const& trace, std::vector<ThreadId> const& answers, std::vector<bool> const& chosen)
{
    std::string text;
    for (std::size_t i = 0; i < answers.size(); ++i)
        if (i >= chosen.size() || chosen[i])
            text += (text.empty() ? "" : " ") + trace.name(answers[i]);
    return text;
}

}
