// Quick jobs, in the style of OSTEP's scheduler.py `-l`: "P1:0:24,P2:0:3,P3:0:3".

#include "lang/lexer.hpp"
#include "lang/parser.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <unordered_map>

namespace tl {

namespace {

// The same limits as in a program file (see parser.cpp).
constexpr std::int64_t max_ticks_operand = 1'000'000'000'000;
constexpr std::int64_t max_priority = 1'000'000'000;

constexpr std::string_view jobs_file = "--jobs";
constexpr std::string_view job_shape = "name:arrival:burst[:priority]";

// A piece of the list with its 1-based code-point column, blanks around it trimmed.
struct Field {
    std::string_view text;
    int column = 0;
};

Field trim(std::string_view text, int column)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.remove_prefix(1);
        ++column;
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    return { text, column };
}

// Cuts text at every separator, keeping each piece's column.
std::vector<Field> split(std::string_view text, int column, char separator)
{
    std::vector<Field> pieces;
    while (true) {
        auto end = text.find(separator);
        auto piece = text.substr(0, end);
        pieces.push_back(trim(piece, column));
        if (end == std::string_view::npos)
            break;
        column += count_code_points(piece) + 1;
        text.remove_prefix(end + 1);
    }
    return pieces;
}

class JobsParser {
public:
    explicit JobsParser(std::string_view list)
        : m_list(list)
    {
    }

    ParseResult run();

private:
    void error(int column, std::string message)
    {
        Diagnostic diagnostic;
        diagnostic.file = std::string(jobs_file);
        diagnostic.where = { 1, column };
        diagnostic.message = std::move(message);
        diagnostic.source_line = std::string(m_list);
        m_result.errors.push_back(std::move(diagnostic));
    }

    // Reads a whole number field; reports and answers false when it is not one in
    // [minimum, maximum] (minimum is 0 or 1 for ticks, -maximum for a priority).
    bool number(Field const& field, std::string_view what, std::int64_t minimum, std::int64_t maximum,
        std::int64_t& out);

    void job(Field const& job);

    std::string_view m_list;
    ParseResult m_result;
    std::unordered_map<std::string, int> m_names; // job name -> its column
};

bool JobsParser::number(Field const& field, std::string_view what, std::int64_t minimum, std::int64_t maximum,
    std::int64_t& out)
{
    if (field.text.empty()) {
        error(field.column, fmt::format("expected {} in {}", what, job_shape));
        return false;
    }
    auto parsed = parse_whole_number(field.text, maximum);
    auto shown = shorten(field.text);
    switch (parsed.status) {
    case WholeNumber::Status::NotANumber:
        error(field.column, fmt::format("expected {}, found '{}'", what, shown));
        return false;
    case WholeNumber::Status::Decimal:
        error(field.column, fmt::format("{} must be a whole number; found '{}'", what, shown));
        return false;
    case WholeNumber::Status::TooLarge:
        if (parsed.negative && minimum >= 0)
            break; // reported as negative below
        error(field.column,
            parsed.negative ? fmt::format("{} is too small; the least is {}", shown, -maximum)
                            : fmt::format("{} is too large; the most is {}", shown, maximum));
        return false;
    case WholeNumber::Status::Ok:
        break;
    }
    if (parsed.negative && minimum >= 0 && (parsed.status == WholeNumber::Status::TooLarge || parsed.value < 0)) {
        error(field.column, fmt::format("{} cannot be negative; found {}", what, shown));
        return false;
    }
    if (parsed.value < minimum) {
        error(field.column, fmt::format("{} must be at least {}; found {}", what, minimum, shown));
        return false;
    }
    out = parsed.value;
    return true;
}

void JobsParser::job(Field const& job)
{
    if (job.text.empty()) {
        error(job.column, fmt::format("empty job; expected {}", job_shape));
        return;
    }
    auto fields = split(job.text, job.column, ':');
    if (fields.size() < 3 || fields.size() > 4) {
        error(job.column, fmt::format("expected {}, found '{}'", job_shape, shorten(job.text)));
        return;
    }

    ProcessSpec process;
    auto const& name = fields[0];
    bool good = true;
    if (name.text.empty()) {
        error(name.column, fmt::format("expected a job name in {}", job_shape));
        good = false;
    } else if (!is_valid_name(name.text)) {
        error(name.column,
            fmt::format("'{}' is not a valid job name; a name starts with a letter or '_' and goes on with letters, "
                        "digits, '_' or '-'",
                shorten(name.text)));
        good = false;
    } else if (auto [first, inserted] = m_names.emplace(std::string(name.text), name.column); !inserted) {
        error(name.column,
            fmt::format("duplicate job name '{}'; the first '{}' is at column {}", name.text, name.text, first->second));
        good = false;
    }
    process.name = std::string(name.text);
    process.where = { 1, name.column };

    // Every field is checked even after a bad one, so one run reports them all.
    std::int64_t arrival = 0;
    good = number(fields[1], "an arrival tick", 0, max_ticks_operand, arrival) && good;
    std::int64_t burst = 0;
    good = number(fields[2], "a burst of ticks", 1, max_ticks_operand, burst) && good;
    std::int64_t priority = 0;
    if (fields.size() == 4)
        good = number(fields[3], "a priority", -max_priority, max_priority, priority) && good;
    if (!good)
        return;

    process.arrival = arrival;
    process.priority = static_cast<int>(priority);
    // A textbook job is an arrival and a CPU burst, nothing more: it needs no RAM, so it is
    // admitted the tick it arrives whatever --ram says, as in OSTEP's scheduler.py.
    process.memory = 0;
    Instruction compute;
    compute.opcode = Opcode::Compute;
    compute.ticks = burst;
    compute.where = { 1, fields[2].column };
    ThreadSpec thread;
    thread.name = process.name;
    thread.where = process.where;
    thread.code.edit().push_back(std::move(compute));
    process.threads.push_back(std::move(thread));
    m_result.program.processes.push_back(std::move(process));
}

ParseResult JobsParser::run()
{
    m_result.program.file = "<jobs>";
    // Columns mean nothing past a byte that is not text, so that is the one error then.
    if (auto bad = find_bad_byte(m_list); bad.found) {
        error(bad.column,
            bad.invalid_utf8 ? std::string("invalid UTF-8 in the jobs list")
                             : fmt::format("unexpected control character U+{:04X} in the jobs list",
                                 static_cast<std::uint32_t>(bad.code_point)));
        return std::move(m_result);
    }
    if (trim(m_list, 1).text.empty()) {
        error(1, fmt::format("the jobs list is empty; give jobs as {}, e.g. P1:0:24,P2:0:3", job_shape));
        return std::move(m_result);
    }
    for (auto const& field : split(m_list, 1, ','))
        job(field);
    if (!m_result.errors.empty())
        m_result.program.processes.clear();
    return std::move(m_result);
}

}

ParseResult parse_jobs(std::string_view list) { return JobsParser(list).run(); }

}
