#include "lang/diagnostic.hpp"

#include "lang/lexer.hpp"
#include "trace/render_util.hpp" // display_width: the same column count as the views

#include <algorithm>
#include <fmt/format.h>

namespace tl {

namespace {

// The offending line as it is echoed under the message. Columns count code points, so
// everything is replaced one code point for one: a tab by a space (a terminal would widen
// it and the caret would no longer line up), and a byte that is not text (invalid UTF-8,
// a control character) by U+FFFD, so that garbage never reaches the learner's terminal.
std::string printable(std::string_view line)
{
    if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
    std::string out;
    out.reserve(line.size());
    for (std::size_t offset = 0; offset < line.size();) {
        char32_t code_point = 0;
        auto length = decode_utf8(line, offset, code_point);
        if (length == 0) {
            out += "\xEF\xBF\xBD";
            ++offset;
            continue;
        }
        if (code_point == '\t')
            out += ' ';
        else if (code_point < 0x20 || code_point == 0x7F)
            out += "\xEF\xBF\xBD";
        else
            out.append(line.substr(offset, length));
        offset += length;
    }
    return out;
}

}

std::string format_diagnostic(Diagnostic const& diagnostic)
{
    auto const& where = diagnostic.where;
    if (where.line == 0 && diagnostic.source_line.empty())
        return fmt::format("{}: error: {}\n", diagnostic.file, diagnostic.message);
    std::string out = fmt::format("{}:{}:{}: error: {}\n", diagnostic.file, where.line, where.column, diagnostic.message);
    // Five columns fit any line number a learner will meet; longer ones widen both gutters
    // alike so the bars stay aligned.
    auto number = fmt::format("{}", where.line);
    auto width = std::max<std::size_t>(5, number.size());
    auto shown = printable(diagnostic.source_line);
    int caret = std::max(where.column, 1) - 1;
    // Wider than a terminal (a minified or binary line): a window of the line around the
    // caret, each cut marked with "...".
    constexpr int window = 100;
    int length = count_code_points(shown);
    auto byte_at = [&](int points) {
        std::size_t offset = 0;
        for (int i = 0; i < points && offset < shown.size(); ++i) {
            char32_t ignored = 0;
            offset += std::max<std::size_t>(1, decode_utf8(shown, offset, ignored));
        }
        return offset;
    };
    if (length > window) {
        int from = std::clamp(caret - window / 2, 0, length - window);
        auto start = byte_at(from);
        auto end = byte_at(from + window);
        shown = fmt::format("{}{}{}", from > 0 ? "..." : "", shown.substr(start, end - start),
            from + window < length ? "..." : "");
        caret = caret - from + (from > 0 ? 3 : 0);
    }
    out += fmt::format("{:>{}} | {}\n", number, width, shown);
    // The caret sits under its character as a terminal draws the line: a wide character
    // (Hangul, CJK, most emoji) takes two columns, a combining mark none.
    auto columns = display_width(std::string_view(shown).substr(0, byte_at(caret)));
    out += fmt::format("{:{}} | {:{}}^\n", "", width, "", columns);
    return out;
}

std::string format_diagnostics(std::vector<Diagnostic> const& diagnostics)
{
    std::string out;
    for (auto const& diagnostic : diagnostics)
        out += format_diagnostic(diagnostic);
    return out;
}

}
