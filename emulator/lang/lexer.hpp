#pragma once

// The lexer of the toy language: it cuts a program into lines and a line into tokens.
//
// The language is line based, so the lexer never looks across a line ending: every line
// is lexed on its own, which is what lets the parser report an error, skip the rest of the
// line and carry on at the next one. The lexer never fails: a problem it finds (a bad byte,
// an unterminated string, an unknown escape) becomes an Error token, always the last token
// of its line, and the parser reports it unless it found an earlier problem on that line.
//
// Internal to emulator/lang: the parser and the --jobs parser share it.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tl {

enum class TokenKind : std::uint8_t {
    Word,   // a run of anything but blanks, '#', '"', ',', '(' and ')': a keyword, a name or a number
    String, // a double-quoted string; value holds it with its escapes decoded
    Comma,  // ',' (between the cores of `pin`, the arguments of a call, the calls of a gather)
    Open,   // '(' (a coroutine's parameters or a call's arguments)
    Close,  // ')'
    Error,  // what the lexer could not read; value holds the message
};

struct Token {
    TokenKind kind = TokenKind::Word;
    std::string_view raw; // the token as written, a view into the line (empty for Error)
    std::string value;    // String: the decoded text; Error: the message
    int column = 0;       // 1-based, in code points, where the token starts
    int end_column = 0;   // the column just past the token's last code point
};

struct LexedLine {
    int number = 0;        // 1-based line number
    std::string_view text; // the line without its ending (and without a leading BOM)
    int indent = 0;        // blanks before the first token
    int tab_column = 0;    // column of the first tab in the leading blanks, 0 when none
    std::vector<Token> tokens; // comments dropped; an Error token, if any, comes last
};

// Splits a whole file into lines: a UTF-8 byte-order mark at the start is skipped, "\n"
// ends a line, and the "\r" of a "\r\n" ending is dropped so Windows files read the same.
std::vector<std::string_view> split_lines(std::string_view source);

// Lexes one line (its 1-based `number`) into `line`, whose token storage is reused: the parser
// lexes every line into one LexedLine.
void lex_line(std::string_view text, int number, LexedLine& line);

// A byte that has no place in a text file: invalid UTF-8, or a control character other than
// a tab. Found is false when the text is clean.
struct BadByte {
    bool found = false;
    bool invalid_utf8 = false; // otherwise a control character
    char32_t code_point = 0;   // the control character
    std::size_t offset = 0;    // byte offset into the text
    int column = 0;            // 1-based code-point column
};
BadByte find_bad_byte(std::string_view text);

// The length in bytes of the well-formed UTF-8 sequence starting at text[offset], storing
// its code point in out; 0 when the bytes there are not valid UTF-8 (overlong forms,
// surrogates and values past U+10FFFF included).
std::size_t decode_utf8(std::string_view text, std::size_t offset, char32_t& out);

// Code points in a piece of valid UTF-8 (an invalid byte counts as one).
int count_code_points(std::string_view text);

// Names of processes and threads: a letter, '_' or any non-ASCII character first, then
// letters, digits, '_', '-' or non-ASCII characters (so Korean names work).
bool is_valid_name(std::string_view text);

// The text of a word for a message, shortened so that a megabyte of garbage on one line
// does not become a megabyte of error message.
std::string shorten(std::string_view text);

// A whole number written as an optional '-' and decimal digits, read with a bound so that
// no amount of digits can overflow.
struct WholeNumber {
    enum class Status : std::uint8_t {
        Ok,
        NotANumber, // anything but an optional '-' and digits
        Decimal,    // digits '.' digits: a learner who wrote 2.5 ticks
        TooLarge,   // magnitude above the bound
    };
    Status status = Status::NotANumber;
    bool negative = false;
    std::int64_t value = 0; // signed; valid when status is Ok
};
WholeNumber parse_whole_number(std::string_view text, std::int64_t max_magnitude);

}
