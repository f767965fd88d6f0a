// One instruction line of the parser: its words (recognized from opcodes.def), whether it is
// allowed where it stands, and its operand (ticks, a text, calls, a name), plus the operand
// parsers that headers share (a number of ticks, a shared variable's value).

#include "lang/parser_internal.hpp"

namespace tl::parser_detail {


namespace {

// Mnemonics from opcodes.def, then the two keywords: what a learner may have meant by a
// word at the start of an instruction line.
std::vector<std::string_view> instruction_words()
{
    std::vector<std::string_view> words;
    for (auto const& info : all_opcodes())
        words.push_back(info.mnemonic);
    words.push_back(keyword_thread);
    words.push_back(keyword_process);
    return words;
}

}

bool Parser::parse_ticks(LexedLine const& line, std::size_t index, std::string_view after, bool arrival,
    std::int64_t& out, bool from_zero)
{
    auto const& value = line.tokens[index];
    auto number = parse_whole_number(value.kind == TokenKind::Word ? value.raw : std::string_view(), max_ticks_operand);
    if (value.kind != TokenKind::Word || number.status == WholeNumber::Status::NotANumber) {
        error_at(value, fmt::format("expected {} after '{}', found {}", arrival ? "an arrival tick" : "a number of ticks",
            after, quoted(value)));
        return false;
    }
    if (number.status == WholeNumber::Status::Decimal) {
        error_at(value.column, fmt::format("ticks are whole numbers; found {}", quoted(value)));
        return false;
    }
    if (number.negative && (number.status == WholeNumber::Status::TooLarge || number.value < 0)) {
        error_at(value.column,
            arrival ? fmt::format("an arrival tick cannot be negative; found {} (the first tick is 0)", quoted(value))
                    : fmt::format("'{}' needs {}; {} is negative", after, from_zero ? "0 ticks or more" : "at least 1 tick",
                          shorten(value.raw)));
        return false;
    }
    if (number.status == WholeNumber::Status::TooLarge) {
        error_at(value.column, fmt::format("{} is too large; the most is {}", shorten(value.raw), max_ticks_operand));
        return false;
    }
    if (!arrival && !from_zero && number.value < 1) {
        error_at(value.column, fmt::format("'{}' needs at least 1 tick", after));
        return false;
    }
    out = number.value;
    return true;
}

int find_param(std::vector<std::string> const& params, std::string_view name)
{
    for (std::size_t i = 0; i < params.size(); ++i)
        if (params[i] == name)
            return static_cast<int>(i);
    return -1;
}

std::string param_list(std::vector<std::string> const& params)
{
    std::string text;
    for (std::size_t i = 0; i < params.size(); ++i)
        text += (i == 0 ? "" : ", ") + params[i];
    return text;
}

std::optional<std::int64_t> Parser::variable_value(Token const& value, std::string_view expected)
{
    auto number = parse_whole_number(value.kind == TokenKind::Word ? value.raw : std::string_view(), max_variable_value);
    if (value.kind != TokenKind::Word || number.status == WholeNumber::Status::NotANumber
        || number.status == WholeNumber::Status::Decimal) {
        error_at(value, fmt::format("expected {}, found {}", expected, quoted(value)));
        return std::nullopt;
    }
    if (number.status == WholeNumber::Status::TooLarge) {
        error_at(value.column,
            fmt::format("{} is too large; shared variables hold at most {} either way", shorten(value.raw),
                max_variable_value));
        return std::nullopt;
    }
    return number.value;
}

namespace {

// Whether `info`'s words are the line's first tokens; answers how many, or 0.
std::size_t matched_words(OpcodeInfo const& info, std::vector<Token> const& tokens)
{
    std::size_t count = 0;
    std::string_view words = info.mnemonic;
    while (!words.empty()) {
        auto space = words.find(' ');
        auto word = words.substr(0, space);
        if (count >= tokens.size() || !is_word(tokens[count], word))
            return 0;
        ++count;
        words = space == std::string_view::npos ? std::string_view() : words.substr(space + 1);
    }
    return count;
}

std::string_view first_word(std::string_view words) { return words.substr(0, words.find(' ')); }

// Each opcode's first word, in all_opcodes() order: found once, not on every line.
std::vector<std::string_view> const& first_words()
{
    static std::vector<std::string_view> const words = [] {
        std::vector<std::string_view> out;
        for (auto const& info : all_opcodes())
            out.push_back(first_word(info.mnemonic));
        return out;
    }();
    return words;
}

}

std::optional<Opcode> Parser::recognize(LexedLine const& line, bool in_async, std::size_t& first_operand)
{
    auto const& tokens = line.tokens;
    auto const& mnemonic = tokens[0];
    // The instructions written with this first word (opcodes.def): the one whose words the
    // line spells out, the most of them, among those allowed here.
    OpcodeInfo const* best = nullptr;
    OpcodeInfo const* misplaced = nullptr;
    bool allowed = false;
    std::size_t best_words = 0;
    auto const& opcodes = all_opcodes();
    auto const& firsts = first_words();
    for (std::size_t i = 0; i < opcodes.size(); ++i) {
        if (firsts[i] != mnemonic.raw)
            continue;
        auto const& info = opcodes[i];
        if (!allowed_in(info.opcode, in_async)) {
            misplaced = misplaced ? misplaced : &info;
            continue;
        }
        allowed = true;
        auto count = matched_words(info, tokens);
        // A word followed by '(' is a call's name, where the operand is a call: `await gather(...)`
        // awaits a routine named gather.
        bool calls = info.operand == OperandKind::Call || info.operand == OperandKind::Calls;
        if (count > 1 && calls && count < tokens.size() && tokens[count].kind == TokenKind::Open)
            continue;
        if (count > best_words) {
            best = &info;
            best_words = count;
        }
    }
    if (!allowed && misplaced) {
        error_at(mnemonic.column, std::string(misplaced->misplaced));
        return std::nullopt;
    }
    // The first word of instructions written in two words: an instruction by itself only
    // when a call follows it (`await NAME(...)`).
    auto const* prefix = [&]() -> WordPrefix const* {
        for (auto const& row : word_prefixes())
            if (row.word == mnemonic.raw)
                return &row;
        return nullptr;
    }();
    bool call_follows = tokens.size() > 2 && tokens[1].kind == TokenKind::Word && tokens[2].kind == TokenKind::Open;
    if (prefix && (!best || (best_words == 1 && !call_follows))) {
        if (tokens.size() < 2) {
            error_at(mnemonic.end_column, std::string(prefix->nothing));
            return std::nullopt;
        }
        auto const& what = tokens[1];
        auto named = what.kind == TokenKind::Word ? opcode_from_mnemonic(what.raw) : std::nullopt;
        if (named) {
            auto hint = opcode_info(*named).timing == Timing::Cpu
                ? fmt::format(" ({} holds the thread: write it without '{}')", what.raw, prefix->word)
                : std::string();
            error_at(what.column, fmt::format(fmt::runtime(prefix->instruction), quoted(what), hint));
        } else if (best) {
            error_at(what, fmt::format(fmt::runtime(prefix->other), quoted(what)));
        } else {
            error_at(what.column, fmt::format(fmt::runtime(prefix->other), quoted(what)));
        }
        return std::nullopt;
    }
    if (!best) {
        auto suggestion = closest(mnemonic.raw, instruction_words());
        error_at(mnemonic.column,
            suggestion ? fmt::format("unknown instruction {}{}", quoted(mnemonic), did_you_mean(suggestion))
                       : fmt::format("unknown instruction {} ('ticklab language' lists them all)", quoted(mnemonic)));
        return std::nullopt;
    }
    first_operand = best_words;
    return best->opcode;
}

std::optional<Pending> Parser::instruction(LexedLine const& line, OpenThread const* async_block)
{
    auto const& tokens = line.tokens;
    auto const& mnemonic = tokens[0];
    if (mnemonic.kind != TokenKind::Word) {
        error_at(mnemonic, fmt::format("expected an instruction, found {}", quoted(mnemonic)));
        return std::nullopt;
    }
    if (mnemonic.raw == keyword_async) {
        error_at(mnemonic.column,
            "an async routine is declared at the level of the threads, right under its process, not inside a "
            "thread or another routine");
        return std::nullopt;
    }
    Pending pending;
    auto& result = pending.instruction;
    result.where = { m_line, mnemonic.column };
    std::size_t first_operand = 1;
    auto opcode = recognize(line, async_block != nullptr, first_operand);
    if (!opcode)
        return std::nullopt;
    auto const& info = opcode_info(*opcode);
    result.opcode = *opcode;
    // The words that make the mnemonic, for messages: "compute", "await sleep".
    auto const& last_word = tokens[first_operand - 1];

    std::size_t next = first_operand;
    switch (info.operand) {
    case OperandKind::None:
        if (tokens.size() > next) {
            error_at(tokens[next],
                fmt::format("unexpected {} after '{}', which takes no operand", quoted(tokens[next]), info.mnemonic));
            return std::nullopt;
        }
        break;
    case OperandKind::Ticks:
    case OperandKind::TicksFromZero:
        if (tokens.size() <= next) {
            error_at(last_word.end_column,
                fmt::format("expected a number of ticks after '{}'{}", info.mnemonic,
                    async_block && !async_block->params.empty() ? " (or a parameter)" : ""));
            return std::nullopt;
        }
        if (async_block && tokens[next].kind == TokenKind::Word && is_valid_name(tokens[next].raw)) {
            int param = find_param(async_block->params, tokens[next].raw);
            if (param < 0) {
                error_at(tokens[next].column,
                    fmt::format("unknown name {} after '{}'; {}", quoted(tokens[next]), info.mnemonic,
                        async_block->params.empty()
                            ? fmt::format("'{}' has no parameters", async_block->spec.name)
                            : fmt::format("the parameters of '{}' are {}", async_block->spec.name,
                                param_list(async_block->params))));
                return std::nullopt;
            }
            pending.ticks_param = param;
        } else if (!parse_ticks(line, next, info.mnemonic, false, result.ticks, info.operand == OperandKind::TicksFromZero)) {
            return std::nullopt;
        }
        next += 1;
        break;
    case OperandKind::Text:
        if (tokens.size() <= next) {
            error_at(mnemonic.end_column,
                fmt::format("expected a double-quoted string after '{}', e.g. {} \"hello\"", info.mnemonic,
                    info.mnemonic));
            return std::nullopt;
        }
        if (tokens[next].kind != TokenKind::String) {
            error_at(tokens[next],
                fmt::format("expected a double-quoted string after '{}', found {}", info.mnemonic, quoted(tokens[next])));
            return std::nullopt;
        }
        if (!parse_text(tokens[next], async_block, pending.pieces))
            return std::nullopt;
        next += 1;
        break;
    case OperandKind::Call:
    case OperandKind::Calls:
        if (tokens.size() <= next) {
            error_at(last_word.end_column,
                fmt::format("expected a coroutine call such as NAME(ARGS) after '{}'", info.mnemonic));
            return std::nullopt;
        }
        next = parse_calls(line, next, info.mnemonic, info.operand == OperandKind::Calls, async_block, pending.calls);
        if (next == 0)
            return std::nullopt;
        break;
    case OperandKind::Variable:
    case OperandKind::Assign:
    case OperandKind::Mutex:
    case OperandKind::Thread: {
        std::string_view what = info.operand == OperandKind::Mutex ? "a mutex name"
            : info.operand == OperandKind::Thread                  ? "a thread name"
                                                                   : "a shared variable name";
        if (tokens.size() <= next) {
            error_at(last_word.end_column, fmt::format("expected {} after '{}'", what, info.mnemonic));
            return std::nullopt;
        }
        auto const& name = tokens[next];
        if (name.kind != TokenKind::Word || !is_valid_name(name.raw)) {
            error_at(name, fmt::format("expected {} after '{}', found {}", what, info.mnemonic, quoted(name)));
            return std::nullopt;
        }
        result.text = std::string(name.raw);
        pending.target_where = { m_line, name.column };
        next += 1;
        if (info.operand != OperandKind::Assign)
            break;
        if (tokens.size() <= next) {
            error_at(name.end_column,
                fmt::format("expected the value to write after 'write {}', e.g. write {} 0", result.text, result.text));
            return std::nullopt;
        }
        auto value = variable_value(tokens[next], "a whole number to write");
        if (!value)
            return std::nullopt;
        result.ticks = *value;
        next += 1;
        break;
    }
    }
    if (next < tokens.size()) {
        error_at(tokens[next], fmt::format("unexpected {} after '{}'", quoted(tokens[next]), text_up_to(line, next - 1)));
        return std::nullopt;
    }
    return pending;
}

std::size_t Parser::parse_calls(LexedLine const& line, std::size_t i, std::string_view after, bool many,
    OpenThread const* async_block, std::vector<RawCall>& out)
{
    auto const& tokens = line.tokens;
    while (true) {
        if (i >= tokens.size()) {
            error_at(tokens.back().end_column, fmt::format("expected a coroutine call such as NAME(ARGS) after '{}'",
                text_up_to(line, tokens.size() - 1)));
            return 0;
        }
        auto const& name = tokens[i];
        if (name.kind != TokenKind::Word || !is_valid_name(name.raw)) {
            error_at(name, fmt::format("expected a coroutine name after '{}', found {}", text_up_to(line, i - 1),
                quoted(name)));
            return 0;
        }
        RawCall call;
        call.name = std::string(name.raw);
        call.where = { m_line, name.column };
        if (i + 1 >= tokens.size() || tokens[i + 1].kind != TokenKind::Open) {
            error_at(name.end_column,
                fmt::format("expected '(' after '{}'; a call lists its arguments in brackets, e.g. {}()", name.raw,
                    name.raw));
            return 0;
        }
        i += 2;
        // ARG, ARG, ... )
        if (i < tokens.size() && tokens[i].kind == TokenKind::Close) {
            ++i;
        } else {
            while (true) {
                if (i >= tokens.size()) {
                    error_at(tokens.back().end_column, fmt::format("expected ')' to close the call of '{}'", call.name));
                    return 0;
                }
                auto const& value = tokens[i];
                RawArg arg;
                arg.where = { m_line, value.column };
                if (value.kind == TokenKind::String) {
                    arg.kind = RawArg::Kind::Text;
                    arg.text = value.value;
                } else if (value.kind == TokenKind::Word && is_valid_name(value.raw)) {
                    int param = async_block ? find_param(async_block->params, value.raw) : -1;
                    if (param < 0) {
                        error_at(value.column,
                            async_block && !async_block->params.empty()
                                ? fmt::format("unknown name {} in the arguments; the parameters of '{}' are {}",
                                    quoted(value), async_block->spec.name, param_list(async_block->params))
                                : fmt::format("unknown name {} in the arguments; pass a number or a double-quoted "
                                              "string",
                                    quoted(value)));
                        return 0;
                    }
                    arg.kind = RawArg::Kind::Param;
                    arg.param = param;
                } else if (value.kind == TokenKind::Word) {
                    auto number = parse_whole_number(value.raw, max_ticks_operand);
                    if (number.status != WholeNumber::Status::Ok || number.value < 1) {
                        error_at(value.column,
                            fmt::format("expected an argument (a number of ticks from 1 to {}, a double-quoted "
                                        "string or a parameter), found {}",
                                max_ticks_operand, quoted(value)));
                        return 0;
                    }
                    arg.number = number.value;
                } else {
                    error_at(value, fmt::format("expected an argument of '{}', found {}", call.name, quoted(value)));
                    return 0;
                }
                call.args.push_back(std::move(arg));
                ++i;
                if (i < tokens.size() && tokens[i].kind == TokenKind::Close) {
                    ++i;
                    break;
                }
                if (i >= tokens.size() || tokens[i].kind != TokenKind::Comma) {
                    if (i >= tokens.size())
                        error_at(tokens.back().end_column,
                            fmt::format("expected ')' to close the call of '{}'", call.name));
                    else
                        error_at(tokens[i], fmt::format("expected ',' or ')' in the call of '{}', found {}", call.name,
                            quoted(tokens[i])));
                    return 0;
                }
                ++i;
            }
        }
        out.push_back(std::move(call));
        if (!many || i >= tokens.size() || tokens[i].kind != TokenKind::Comma)
            return i;
        ++i;
        if (i >= tokens.size()) {
            error_at(tokens.back().end_column, fmt::format("expected another call after ',' in '{}'", after));
            return 0;
        }
    }
}

bool Parser::parse_text(Token const& token, OpenThread const* async_block, std::vector<Piece>& out)
{
    // Braces are found in the raw token, for columns; escapes never make or hide one, so
    // the decoded value has the same braces in the same order.
    auto const& value = token.value;
    std::vector<int> brace_columns;
    {
        int column = token.column;
        std::size_t pos = 0;
        auto const& raw = token.raw;
        while (pos < raw.size()) {
            char32_t code_point = 0;
            auto length = decode_utf8(raw, pos, code_point);
            if (length == 0)
                length = 1;
            if (raw[pos] == '{' || raw[pos] == '}')
                brace_columns.push_back(column);
            pos += length;
            ++column;
        }
    }
    std::size_t brace = 0;
    auto column_of_brace = [&] { return brace < brace_columns.size() ? brace_columns[brace] : token.column; };
    std::string literal;
    std::size_t pos = 0;
    while (pos < value.size()) {
        char c = value[pos];
        if ((c == '{' || c == '}') && pos + 1 < value.size() && value[pos + 1] == c) {
            literal += c;
            pos += 2;
            brace += 2;
            continue;
        }
        if (c == '}') {
            error_at(column_of_brace(), "a '}' with no '{' before it; write '}}' for a brace in the text");
            return false;
        }
        if (c != '{') {
            literal += c;
            ++pos;
            continue;
        }
        auto close = value.find('}', pos);
        if (close == std::string::npos) {
            error_at(column_of_brace(), "a '{' with no '}' after it; write '{{' for a brace in the text");
            return false;
        }
        auto name = std::string_view(value).substr(pos + 1, close - pos - 1);
        Piece piece;
        if (name == "tick") {
            piece.kind = Piece::Kind::Tick;
        } else {
            int param = async_block ? find_param(async_block->params, name) : -1;
            if (param < 0) {
                error_at(column_of_brace(),
                    async_block && !async_block->params.empty()
                        ? fmt::format("unknown name '{}' in braces; the parameters of '{}' are {} (and {{tick}} is "
                                      "the current tick)",
                            shorten(name), async_block->spec.name, param_list(async_block->params))
                        : fmt::format("unknown name '{}' in braces; only {{tick}} (the current tick){} can be put in "
                                      "a text here; write '{{{{' for a brace",
                            shorten(name), async_block ? "" : " and, in async routines, parameters"));
                return false;
            }
            piece.kind = Piece::Kind::Param;
            piece.param = param;
        }
        if (!literal.empty())
            out.push_back(Piece { Piece::Kind::Literal, std::move(literal), -1 });
        literal.clear();
        out.push_back(std::move(piece));
        pos = close + 1;
        brace += 2;
    }
    if (!literal.empty() || out.empty())
        out.push_back(Piece { Piece::Kind::Literal, std::move(literal), -1 });
    return true;
}

}
