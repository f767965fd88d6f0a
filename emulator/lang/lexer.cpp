#include "lang/lexer.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace tl {

namespace {

bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }

bool is_ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Characters that end a word. Anything else, including punctuation such as '!' or ':', is
// part of the word, so a typo shows up whole in the error message rather than in pieces.
bool ends_word(char c) { return c == ' ' || c == '\t' || c == '#' || c == '"' || c == ',' || c == '(' || c == ')'; }

std::string bad_byte_message(BadByte const& bad)
{
    if (bad.invalid_utf8)
        return "invalid UTF-8 in the file";
    return fmt::format("unexpected control character U+{:04X} in the file; is this a text file?",
        static_cast<std::uint32_t>(bad.code_point));
}

// A character that looks like a space (or like nothing) but is not one, pasted in from a
// web page or a word processor: its name, or "" for any other character.
std::string_view lookalike_space(char32_t code_point)
{
    switch (code_point) {
    case 0x00A0: return "no-break space";
    case 0x1680: return "ogham space mark";
    case 0x2000: return "en quad";
    case 0x2001: return "em quad";
    case 0x2002: return "en space";
    case 0x2003: return "em space";
    case 0x2004: return "three-per-em space";
    case 0x2005: return "four-per-em space";
    case 0x2006: return "six-per-em space";
    case 0x2007: return "figure space";
    case 0x2008: return "punctuation space";
    case 0x2009: return "thin space";
    case 0x200A: return "hair space";
    case 0x200B: return "zero-width space";
    case 0x202F: return "narrow no-break space";
    case 0x205F: return "medium mathematical space";
    case 0x2060: return "word joiner";
    case 0x3000: return "ideographic space";
    case 0xFEFF: return "byte order mark";
    default: return "";
    }
}

std::string lookalike_message(char32_t code_point, std::string_view name)
{
    if (code_point == 0xFEFF)
        return "U+FEFF byte order mark here: only the very first character of a file may be one; delete it";
    return fmt::format("U+{:04X} {} here, which is not an ordinary space: indent and separate words with spaces or "
                       "tabs (retype it as a space, or delete it)",
        static_cast<std::uint32_t>(code_point), name);
}

Token error_token(std::string message, int column)
{
    Token token;
    token.kind = TokenKind::Error;
    token.value = std::move(message);
    token.column = column;
    token.end_column = column + 1;
    return token;
}

}

std::size_t decode_utf8(std::string_view text, std::size_t offset, char32_t& out)
{
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    unsigned char lead = byte(offset);
    if (lead < 0x80) {
        out = lead;
        return 1;
    }
    std::size_t length = 0;
    char32_t value = 0;
    char32_t minimum = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
        value = lead & 0x1F;
        minimum = 0x80;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        value = lead & 0x0F;
        minimum = 0x800;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        value = lead & 0x07;
        minimum = 0x10000;
    } else {
        return 0; // a continuation byte, an overlong 2-byte lead (C0, C1) or F5..FF
    }
    if (offset + length > text.size())
        return 0;
    for (std::size_t i = 1; i < length; ++i) {
        unsigned char next = byte(offset + i);
        if ((next & 0xC0) != 0x80)
            return 0;
        value = (value << 6) | (next & 0x3F);
    }
    if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
        return 0;
    out = value;
    return length;
}

BadByte find_bad_byte(std::string_view text)
{
    BadByte bad;
    int column = 1;
    for (std::size_t offset = 0; offset < text.size(); ++column) {
        // Printable ASCII, nearly every byte of a program, needs no decoding.
        if (auto byte = static_cast<unsigned char>(text[offset]); byte >= 0x20 && byte < 0x7F) {
            ++offset;
            continue;
        }
        char32_t code_point = 0;
        auto length = decode_utf8(text, offset, code_point);
        if (length == 0 || (code_point < 0x20 && code_point != '\t') || code_point == 0x7F) {
            bad.found = true;
            bad.invalid_utf8 = length == 0;
            bad.code_point = code_point;
            bad.offset = offset;
            bad.column = column;
            return bad;
        }
        offset += length;
    }
    return bad;
}

int count_code_points(std::string_view text)
{
    int count = 0;
    for (std::size_t offset = 0; offset < text.size(); ++count) {
        char32_t code_point = 0;
        auto length = decode_utf8(text, offset, code_point);
        offset += length == 0 ? 1 : length;
    }
    return count;
}

bool is_valid_name(std::string_view text)
{
    if (text.empty())
        return false;
    char first = text.front();
    if (!is_ascii_letter(first) && first != '_' && static_cast<unsigned char>(first) < 0x80)
        return false;
    for (char c : text)
        if (!is_ascii_letter(c) && !is_ascii_digit(c) && c != '_' && c != '-' && static_cast<unsigned char>(c) < 0x80)
            return false;
    return true;
}

std::string shorten(std::string_view text)
{
    constexpr int most = 40;
    std::size_t offset = 0;
    for (int count = 0; offset < text.size() && count < most; ++count) {
        char32_t code_point = 0;
        auto length = decode_utf8(text, offset, code_point);
        offset += length == 0 ? 1 : length;
    }
    if (offset >= text.size())
        return std::string(text);
    return std::string(text.substr(0, offset)) + "...";
}

WholeNumber parse_whole_number(std::string_view text, std::int64_t max_magnitude)
{
    WholeNumber number;
    std::string_view digits = text;
    if (!digits.empty() && digits.front() == '-') {
        number.negative = true;
        digits.remove_prefix(1);
    }
    if (digits.empty())
        return number;
    std::size_t i = 0;
    while (i < digits.size() && is_ascii_digit(digits[i]))
        ++i;
    if (i != digits.size()) {
        // "2.5": say that ticks are whole, rather than that 2.5 is no number at all.
        auto dot = digits.find('.');
        bool decimal = i > 0 && dot == i && dot + 1 < digits.size();
        for (std::size_t j = dot + 1; decimal && j < digits.size(); ++j)
            decimal = is_ascii_digit(digits[j]);
        number.status = decimal ? WholeNumber::Status::Decimal : WholeNumber::Status::NotANumber;
        return number;
    }
    // The bound is checked after every digit, so the value never exceeds it by more than a
    // factor of ten plus nine: no overflow for any bound up to about 9 * 10^17.
    std::int64_t value = 0;
    for (char c : digits) {
        value = value * 10 + (c - '0');
        if (value > max_magnitude) {
            number.status = WholeNumber::Status::TooLarge;
            return number;
        }
    }
    number.status = WholeNumber::Status::Ok;
    number.value = number.negative ? -value : value;
    return number;
}

std::vector<std::string_view> split_lines(std::string_view source)
{
    constexpr std::string_view bom = "\xEF\xBB\xBF";
    if (source.substr(0, bom.size()) == bom)
        source.remove_prefix(bom.size());
    std::vector<std::string_view> lines;
    lines.reserve(static_cast<std::size_t>(std::count(source.begin(), source.end(), '\n')) + 1);
    while (!source.empty()) {
        auto end = source.find('\n');
        auto line = source.substr(0, end);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        lines.push_back(line);
        if (end == std::string_view::npos)
            break;
        source.remove_prefix(end + 1);
    }
    return lines;
}

void lex_line(std::string_view text, int number, LexedLine& line)
{
    line.number = number;
    line.text = text;
    line.indent = 0;
    line.tab_column = 0;
    line.tokens.clear();

    // Bytes past the first bad one are never read: the error there ends the line, and
    // columns after it would mean nothing anyway.
    auto bad = find_bad_byte(text);
    std::size_t limit = bad.found ? bad.offset : text.size();

    std::size_t pos = 0;
    int column = 1;
    while (pos < limit && (text[pos] == ' ' || text[pos] == '\t')) {
        if (text[pos] == '\t' && line.tab_column == 0)
            line.tab_column = column;
        ++pos;
        ++column;
    }
    line.indent = column - 1;

    // Advances over one code point; only called below limit, where the text is valid.
    auto advance = [&] {
        char32_t code_point = 0;
        pos += decode_utf8(text, pos, code_point);
        ++column;
    };

    while (true) {
        if (pos >= limit || text[pos] == '#') {
            // A bad byte inside a comment is still reported: the file must be clean text.
            if (bad.found)
                line.tokens.push_back(error_token(bad_byte_message(bad), bad.column));
            break;
        }
        char c = text[pos];
        if (c == ' ' || c == '\t') {
            ++pos;
            ++column;
            continue;
        }
        Token token;
        token.column = column;
        std::size_t start = pos;
        if (c == ',' || c == '(' || c == ')') {
            token.kind = c == ',' ? TokenKind::Comma : c == '(' ? TokenKind::Open : TokenKind::Close;
            advance();
        } else if (c == '"') {
            token.kind = TokenKind::String;
            advance();
            bool closed = false;
            std::string failure;
            int failure_column = 0;
            while (pos < limit) {
                if (text[pos] == '"') {
                    advance();
                    closed = true;
                    break;
                }
                if (text[pos] == '\\') {
                    int escape_column = column;
                    std::size_t escape_start = pos;
                    advance();
                    if (pos >= limit)
                        break; // "abc\ at the end of the line: unterminated, or a bad byte
                    char escaped = text[pos];
                    advance();
                    if (escaped == '"' || escaped == '\\') {
                        token.value += escaped;
                    } else if (escaped == 'n') {
                        token.value += '\n';
                    } else {
                        failure = fmt::format("unknown escape '{}' in a string; write \\\" for a quote, \\\\ for a "
                                              "backslash or \\n for a new line",
                            text.substr(escape_start, pos - escape_start));
                        failure_column = escape_column;
                        break;
                    }
                    continue;
                }
                std::size_t before = pos;
                advance();
                token.value.append(text.substr(before, pos - before));
            }
            if (!failure.empty()) {
                line.tokens.push_back(error_token(std::move(failure), failure_column));
                break;
            }
            if (!closed) {
                // A bad byte inside the string is the real problem, not the missing quote.
                line.tokens.push_back(bad.found ? error_token(bad_byte_message(bad), bad.column)
                                                : error_token("unterminated string; add a closing \"", token.column));
                break;
            }
        } else {
            token.kind = TokenKind::Word;
            while (pos < limit && !ends_word(text[pos])) {
                if (static_cast<unsigned char>(text[pos]) < 0x80) { // ASCII: one byte, never a look-alike space
                    ++pos;
                    ++column;
                    continue;
                }
                char32_t code_point = 0;
                decode_utf8(text, pos, code_point);
                if (auto name = lookalike_space(code_point); !name.empty()) {
                    line.tokens.push_back(error_token(lookalike_message(code_point, name), column));
                    return;
                }
                advance();
            }
        }
        token.raw = text.substr(start, pos - start);
        token.end_column = column;
        line.tokens.push_back(std::move(token));
    }
}

}
