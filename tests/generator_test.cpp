// The workload generator: the same seed gives the same bytes, the text parses back to the
// very Program it was written from, every option is checked with a one-line message, and a
// generated workload runs the same whether the Machine jumps over quiet ticks or steps them.

#include "gen/generator.hpp"
#include "support/run.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <set>
#include <string>

using namespace tl;
using namespace tl::test;

// This file's names are its own: the test files are compiled several to a unit (tests/meson.build).
namespace generator_test {

namespace {

// Field by field, locations included, each difference reported with where it is.
void check_same_program(Program const& parsed, Program const& expected)
{
    REQUIRE(parsed.processes.size() == expected.processes.size());
    for (std::size_t p = 0; p < expected.processes.size(); ++p) {
        auto const& a = parsed.processes[p];
        auto const& b = expected.processes[p];
        INFO("process " << b.name);
        CHECK(a.name == b.name);
        CHECK(a.arrival == b.arrival);
        CHECK(a.memory == b.memory);
        CHECK(a.priority == b.priority);
        CHECK(a.where == b.where);
        REQUIRE(a.threads.size() == b.threads.size());
        for (std::size_t t = 0; t < b.threads.size(); ++t) {
            auto const& x = a.threads[t];
            auto const& y = b.threads[t];
            INFO("thread " << y.name);
            CHECK(x.name == y.name);
            CHECK(x.pinned == y.pinned);
            CHECK(x.where == y.where);
            REQUIRE(x.code.size() == y.code.size());
            for (std::size_t i = 0; i < y.code.size(); ++i) {
                INFO("instruction " << i << ": " << to_string(y.code[i]));
                CHECK(x.code[i].opcode == y.code[i].opcode);
                CHECK(x.code[i].ticks == y.code[i].ticks);
                CHECK(x.code[i].text == y.code[i].text);
                CHECK(x.code[i].where == y.code[i].where);
            }
        }
    }
}

GeneratorOptions small_options()
{
    GeneratorOptions options;
    options.processes = 6;
    options.threads = 3;
    options.seed = 42;
    options.arrival_spread = 20;
    options.burst = { 1, 9 };
    options.wait = { 1, 6 };
    options.io_ratio = 0.25;
    options.sleep_ratio = 0.15;
    options.length = 7;
    options.priorities = 3;
    return options;
}

std::string error_of(GeneratorFlags const& flags)
{
    auto result = generator_options_from(flags);
    if (auto* error = std::get_if<std::string>(&result))
        return *error;
    return "(no error)";
}

}

TEST_CASE("splitmix64 gives the published sequence", "[generator]")
{
    // The reference outputs for seed 1234567 (Vigna's splitmix64.c): the generator's numbers
    // are the same on every compiler and standard library.
    SplitMix64 random(1234567);
    CHECK(random.next() == 6457827717110365317ULL);
    CHECK(random.next() == 3203168211198807973ULL);
    CHECK(random.next() == 9817491932198370423ULL);
    CHECK(random.next() == 4593380528125082431ULL);
    CHECK(random.next() == 16408922859458223821ULL);

    SplitMix64 bounded(7);
    for (int i = 0; i < 1000; ++i) {
        auto value = bounded.between(3, 5);
        CHECK((value >= 3 && value <= 5));
    }
    CHECK(bounded.between(9, 9) == 9);
}

TEST_CASE("The same seed gives byte-identical text; another seed another workload", "[generator]")
{
    auto options = small_options();
    auto first = generated_text(options);
    CHECK(first == generated_text(options));
    CHECK(first == generated_text(options, generate_program(options)));
    options.seed = 43;
    CHECK(first != generated_text(options));
}

TEST_CASE("The streamed text is generated_text byte for byte, in pieces of about a megabyte", "[generator]")
{
    // Many processes arriving on few ticks (a stable sort with ties), shared objects and
    // critical sections, priorities, and one process: each option that changes the layout.
    std::vector<GeneratorOptions> cases;
    cases.push_back(small_options());
    auto ties = small_options();
    ties.processes = 2000;
    ties.threads = 4;
    ties.arrival_spread = 3;
    ties.length = 12;
    ties.priorities = 5;
    ties.memory_ratio = 0.1;
    ties.lock_ratio = 0.1;
    cases.push_back(ties);
    auto one = small_options();
    one.processes = 1;
    one.threads = 1;
    one.length = 1;
    cases.push_back(one);
    auto same_tick = small_options();
    same_tick.processes = 300;
    same_tick.arrival_spread = 0;
    cases.push_back(same_tick);
    for (auto const& options : cases) {
        INFO(generator_command(options));
        auto program = generate_program(options);
        auto want = generated_text(options, program);
        std::string got;
        std::size_t pieces = 0;
        auto counts = write_generated(options, [&](std::string_view piece) {
            CHECK(piece.size() <= (std::size_t(1) << 20) + 65536);
            got += piece;
            ++pieces;
            return true;
        });
        REQUIRE(counts);
        CHECK(got == want);
        CHECK(pieces >= want.size() / ((std::size_t(1) << 20) + 65536) + 1); // never held whole
        CHECK(counts->processes == options.processes);
        CHECK(counts->threads == static_cast<std::int64_t>(options.processes) * options.threads);
        std::int64_t instructions = 0;
        for (auto const& process : program.processes)
            for (auto const& thread : process.threads)
                instructions += static_cast<std::int64_t>(thread.code.size());
        CHECK(counts->instructions == instructions);
        CHECK(counts->needs.memory == workload_needs(program).memory);
        CHECK(counts->needs.tick_bound == workload_needs(program).tick_bound);
    }
    // A writer that refuses stops the text.
    int calls = 0;
    auto big = cases[1];
    big.processes = 20000;
    CHECK(!write_generated(big, [&](std::string_view) { return ++calls < 2; }));
    CHECK(calls == 2);
}

TEST_CASE("A tiny generated workload is exactly this text", "[generator]")
{
    // Pinned bytes: a change here changes every generated file and benchmark workload, so it
    // must be deliberate.
    GeneratorOptions options;
    options.processes = 2;
    options.threads = 2;
    options.cores = 2;
    options.seed = 7;
    options.arrival_spread = 5;
    options.length = 4;
    options.io_ratio = 0.5;
    options.sleep_ratio = 0.25;
    CHECK(generated_text(options) == R"(# A generated workload: 2 processes of 2 threads (4 threads), seed 7.
# Made with: ticklab generate --processes 2 --threads 2 --cores 2 --seed 7 --arrival-spread 5 --burst 1-10 --wait 1-10 --io-ratio 0.5 --sleep-ratio 0.25 --length 4 --priorities 1
# Suggested run: ticklab run THIS_FILE --cores 2 --format summary

process p1 arrive 1
  thread t1
    compute 8
    io 4
    io 4
    io 1
  thread t2
    compute 6
    sleep 10
    compute 6
    io 1

process p2 arrive 3
  thread t1
    compute 7
    io 5
    sleep 9
    io 6
  thread t2
    compute 6
    io 7
    sleep 5
    io 1
)");
}

TEST_CASE("Generated text parses back to the same Program, field by field", "[generator]")
{
    std::vector<GeneratorOptions> cases;
    cases.push_back(small_options());
    GeneratorOptions only_compute;
    only_compute.io_ratio = 0;
    only_compute.sleep_ratio = 0;
    only_compute.processes = 12; // two-digit names: p01..p12
    cases.push_back(only_compute);
    GeneratorOptions only_waits = small_options();
    only_waits.io_ratio = 0.5;
    only_waits.sleep_ratio = 0.5;
    only_waits.threads = 11;
    only_waits.burst = { 1'000'000'000'000, 1'000'000'000'000 }; // the largest operand
    cases.push_back(only_waits);
    GeneratorOptions one;
    one.processes = 1;
    one.threads = 1;
    one.length = 1;
    cases.push_back(one);

    for (auto const& options : cases) {
        INFO(generator_command(options));
        auto program = generate_program(options);
        auto parsed = parse_or_fail(generated_text(options, program));
        check_same_program(parsed, program);
    }
}

TEST_CASE("Any program round-trips through write_program", "[generator]")
{
    // Everything the language has, beyond what the generator draws: memory, pins, escapes
    // in print, exit.
    auto original = parse_or_fail(R"(process a arrive 3 memory 64K priority -2
  thread main pin 0,2
    compute 4
    print "say \"hi\" \\ then\nbye"
    sleep 1
    exit
process b memory 1000
  thread x
    io 5
  thread y
    compute 1
)");
    std::vector<std::string> header { "a header line", "", "another" };
    auto text = write_program(original, header);
    CHECK(text.rfind("# a header line\n#\n# another\n\nprocess a arrive 3 memory 64K priority -2\n", 0) == 0);
    auto parsed = parse_or_fail(text);
    locate_program(original, header.size());
    check_same_program(parsed, original);
    CHECK(write_program(parsed, header) == text);
}

TEST_CASE("Generated workloads follow their options", "[generator]")
{
    GeneratorOptions options;
    options.processes = 50;
    options.threads = 4;
    options.length = 100;
    options.arrival_spread = 1000;
    options.burst = { 5, 8 };
    options.wait = { 20, 30 };
    options.io_ratio = 0.3;
    options.sleep_ratio = 0.2;
    options.priorities = 4;
    auto program = generate_program(options);
    REQUIRE(program.processes.size() == 50);
    std::int64_t io = 0, sleep = 0, total = 0;
    std::set<std::string> names;
    Tick last_arrival = 0;
    for (auto const& process : program.processes) {
        CHECK(names.insert(process.name).second);
        CHECK(process.arrival >= last_arrival); // listed by arrival
        CHECK(process.arrival <= 1000);
        CHECK((process.priority >= 0 && process.priority < 4));
        last_arrival = process.arrival;
        REQUIRE(process.threads.size() == 4);
        for (auto const& thread : process.threads) {
            REQUIRE(thread.code.size() == 100);
            CHECK(thread.code.front().opcode == Opcode::Compute);
            for (std::size_t i = 1; i < thread.code.size(); ++i) {
                auto const& instruction = thread.code[i];
                ++total;
                if (instruction.opcode == Opcode::Compute) {
                    CHECK((instruction.ticks >= 5 && instruction.ticks <= 8));
                } else {
                    CHECK((instruction.ticks >= 20 && instruction.ticks <= 30));
                    (instruction.opcode == Opcode::Io ? io : sleep) += 1;
                }
            }
        }
    }
    // 19,800 draws: the shares land within a couple of points of the ratios.
    CHECK(std::abs(static_cast<double>(io) / static_cast<double>(total) - 0.3) < 0.02);
    CHECK(std::abs(static_cast<double>(sleep) / static_cast<double>(total) - 0.2) < 0.02);

    auto needs = workload_needs(program);
    CHECK(needs.memory == 50 * default_process_memory);
    CHECK(needs.tick_bound > last_arrival);
}

TEST_CASE("Every generator option is checked with a one-line message", "[generator]")
{
    CHECK(std::holds_alternative<GeneratorOptions>(generator_options_from({})));
    CHECK(!check_generator_options(GeneratorOptions {}));

    struct Case {
        GeneratorFlags flags;
        std::string error;
    };
    std::vector<Case> const cases {
        { { .processes = "0" }, "--processes must be a whole number from 1 to 100000, not '0'" },
        { { .processes = "abc" }, "--processes must be a whole number from 1 to 100000, not 'abc'" },
        { { .processes = "-3" }, "--processes must be a whole number from 1 to 100000, not '-3'" },
        { { .processes = "100001" }, "--processes must be a whole number from 1 to 100000, not '100001'" },
        { { .threads = "" }, "--threads must be a whole number from 1 to 10000, not ''" },
        { { .threads = "1\n2" }, "--threads must be a whole number from 1 to 10000, not '1?2'" },
        { { .length = std::string(50, '9') },
            "--length must be a whole number from 1 to 100000, not '9999999999999999999999999999999999999999...'" },
        { { .cores = "1025" }, "--cores must be a whole number from 1 to 1024, not '1025'" },
        { { .seed = "x1" }, "--seed must be a whole number from 0 to 18446744073709551615, not 'x1'" },
        { { .seed = "18446744073709551616" },
            "--seed must be a whole number from 0 to 18446744073709551615, not '18446744073709551616'" },
        { { .arrival_spread = "1.5" },
            "--arrival-spread must be a whole number from 0 to 1000000000000, not '1.5'" },
        { { .burst = "5-2" }, "--burst '5-2' has MIN larger than MAX" },
        { { .burst = "0-4" }, "--burst ticks must be from 1 to 1000000000000, not '0-4'" },
        { { .burst = "4-" }, "--burst must be ticks written MIN-MAX (e.g. 5-20) or N, not '4-'" },
        { { .burst = "a-b" }, "--burst must be ticks written MIN-MAX (e.g. 5-20) or N, not 'a-b'" },
        { { .burst = "1-2-3" }, "--burst must be ticks written MIN-MAX (e.g. 5-20) or N, not '1-2-3'" },
        { { .burst = "3", .mean_burst = "3" }, "give either --burst or --mean-burst, not both" },
        { { .mean_burst = "0" }, "--mean-burst must be a whole number from 1 to 500000000000, not '0'" },
        { { .wait = "2000000000000" }, "--wait ticks must be from 1 to 1000000000000, not '2000000000000'" },
        { { .io_ratio = "1.5" }, "--io-ratio must be a number from 0 to 1 such as 0.25, not '1.5'" },
        { { .io_ratio = "-0.1" }, "--io-ratio must be a number from 0 to 1 such as 0.25, not '-0.1'" },
        { { .sleep_ratio = "half" }, "--sleep-ratio must be a number from 0 to 1 such as 0.25, not 'half'" },
        { { .io_ratio = "0.6", .sleep_ratio = "0.5" }, "--io-ratio 0.6 and --sleep-ratio 0.5 add up to more than 1" },
        { { .length = "0" }, "--length must be a whole number from 1 to 100000, not '0'" },
        { { .priorities = "0" }, "--priorities must be a whole number from 1 to 1000, not '0'" },
        { { .processes = "1000", .threads = "1001" },
            "1000 processes of 1001 threads make 1001000 threads; the most is 1000000" },
        { { .processes = "1000", .threads = "1000", .length = "51" },
            "1000000 threads of 51 instructions make 51000000 instructions; the most is 50000000" },
    };
    for (auto const& each : cases) {
        auto error = error_of(each.flags);
        CHECK(error == each.error);
        CHECK(error.find('\n') == std::string::npos);
    }

    // Good values, spelled the ways the help shows.
    auto result = generator_options_from({ .processes = "3", .threads = "2", .seed = "0", .arrival_spread = "0",
        .mean_burst = "4", .io_ratio = ".5", .sleep_ratio = "0.5", .length = "10" });
    REQUIRE(std::holds_alternative<GeneratorOptions>(result));
    auto const& options = std::get<GeneratorOptions>(result);
    CHECK(options.burst == TickRange { 1, 7 });
    CHECK(options.wait == TickRange { 1, 7 }); // the burst range when --wait is not given
    CHECK(options.io_ratio == 0.5);
    auto fixed = generator_options_from({ .burst = "6", .wait = "2-3" });
    REQUIRE(std::holds_alternative<GeneratorOptions>(fixed));
    CHECK(std::get<GeneratorOptions>(fixed).burst == TickRange { 6, 6 });
    CHECK(std::get<GeneratorOptions>(fixed).wait == TickRange { 2, 3 });

    // Options built in code are checked the same way.
    GeneratorOptions bad;
    bad.io_ratio = 0.7;
    bad.sleep_ratio = 0.4;
    CHECK(check_generator_options(bad) == "--io-ratio 0.7 and --sleep-ratio 0.4 add up to more than 1");
    bad = {};
    bad.burst = { 3, 2 };
    CHECK(check_generator_options(bad) == "--burst must be a range of ticks from 1 to 1000000000000 with MIN <= MAX, not 3-2");
}

TEST_CASE("The command in the header regenerates the same workload", "[generator]")
{
    auto options = small_options();
    options.io_ratio = 0.1 + 0.2; // not exactly 0.3: the header states what was used
    auto command = generator_command(options);
    CHECK(command.find("--io-ratio 0.3 ") != std::string::npos);

    GeneratorFlags flags { .processes = "6", .threads = "3", .cores = "1", .seed = "42", .arrival_spread = "20",
        .burst = "1-9", .wait = "1-6", .io_ratio = "0.3", .sleep_ratio = "0.15", .length = "7", .priorities = "3" };
    CHECK(command
        == "ticklab generate --processes 6 --threads 3 --cores 1 --seed 42 --arrival-spread 20 --burst 1-9 --wait 1-6 "
           "--io-ratio 0.3 --sleep-ratio 0.15 --length 7 --priorities 3");
    auto again = generator_options_from(flags);
    REQUIRE(std::holds_alternative<GeneratorOptions>(again));
    CHECK(generated_text(std::get<GeneratorOptions>(again)) == generated_text(options));
}

TEST_CASE("A jumped run and a stepped run of a generated workload give identical traces", "[generator]")
{
    auto options = small_options();
    options.processes = 5;
    options.threads = 3;
    options.length = 6;
    auto program = generate_program(options);
    auto needs = workload_needs(program);
    for (auto const& entry : all_schedulers()) {
        for (int cores : { 1, 2, 4 }) {
            for (Tick switch_cost : { 0, 1 }) {
                INFO(entry.name << " on " << cores << " cores, switch cost " << switch_cost);
                RunSpec spec { .scheduler = std::string(entry.name), .cores = cores, .quantum = 3,
                    .switch_cost = switch_cost, .ram = needs.memory, .max_ticks = needs.tick_bound * 2 };
                auto jumped = run(program, spec);
                spec.step_every_tick = true;
                auto stepped = run(program, spec);
                CHECK(same_run(jumped, stepped));
                CHECK(jumped.outcome == Outcome::Finished);
            }
        }
    }
}

} // namespace generator_test
