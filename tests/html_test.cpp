// The lab page (trace/html.hpp): what it embeds for the player (thread states, variables,
// mutexes, queues, narration), the races it names, its static parts, its two languages, and
// that nothing in a program can break out of its script. Programs are small and worked out by
// hand from the Machine's phase rules (engine/machine.cpp).

#include "support/run.hpp"
#include "trace/html.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <string>

using namespace tl;
using namespace tl::test;

// This file's names are its own: the test files are compiled several to a unit (tests/meson.build).
namespace html_test {

namespace {

std::string page(Trace const& trace, Language language = Language::En)
{
    auto metrics = compute_metrics(trace);
    ChartRun run { "", "", &trace, &metrics };
    std::ostringstream out;
    render_lab_page(out, std::span<ChartRun const>(&run, 1), PageOptions { language });
    return out.str();
}

// The JSON the player reads, parsed back out of the page.
nlohmann::json data_of(std::string const& html)
{
    auto open = std::string("<script type=\"application/json\" id=\"ticklab-data\">");
    auto start = html.find(open);
    REQUIRE(start != std::string::npos);
    start += open.size();
    auto end = html.find("</script>", start);
    REQUIRE(end != std::string::npos);
    return nlohmann::json::parse(html.substr(start, end - start));
}

// "state detail" of a thread at tick t, as the player looks it up.
std::string state_at(nlohmann::json const& run, int thread, Tick t)
{
    if (t >= run["end"].get<Tick>()) {
        auto const& final = run["finals"][static_cast<std::size_t>(thread)];
        return final[0].get<std::string>() + (final[1].get<std::string>().empty() ? "" : " " + final[1].get<std::string>());
    }
    for (auto const& span : run["states"][static_cast<std::size_t>(thread)])
        if (span[0].get<Tick>() <= t && t < span[1].get<Tick>())
            return span[2].get<std::string>() + (span[3].get<std::string>().empty() ? "" : " " + span[3].get<std::string>());
    return "new";
}

}

TEST_CASE("The lab page names the deadlock's mutexes, holders and waiters", "[html]")
{
    auto trace = run(bundled("deadlock"), RunSpec { .cores = 2 });
    auto html = page(trace);
    CHECK(html.find("<span class=\"badge\">deadlock</span>") != std::string::npos);
    CHECK(html.find("<p class=\"verdict\">stopped at tick 2: deadlock: left waits for mutex &#39;fork2&#39; held by right; "
                    "right waits for mutex &#39;fork1&#39; held by left</p>")
        != std::string::npos);
    auto data = data_of(html)["runs"][0];
    // Both lock at tick 0 (lock takes no time), compute 2, then wait at tick 2 for good.
    CHECK(state_at(data, 0, 0) == "run core 0");
    CHECK(state_at(data, 1, 1) == "run core 1");
    CHECK(state_at(data, 0, 2) == "lock fork2 (held by right)");
    CHECK(state_at(data, 1, 2) == "lock fork1 (held by left)");
    CHECK(data["mutexes"] == nlohmann::json::parse(R"([
        {"process":"philosophers","name":"fork1","holders":[[0,0]]},
        {"process":"philosophers","name":"fork2","holders":[[0,1]]}])"));
}

TEST_CASE("The lab page shows a crash as the summary does: faulted, and who was killed", "[html]")
{
    auto trace = run(bundled("crash"), RunSpec { .cores = 2 });
    auto html = page(trace);
    CHECK(html.find("<p class=\"verdict\">fault at tick 7: tab (process browser, line 13) ran &#39;crash&#39;; the rest of "
                    "browser was killed (2 threads)</p>")
        != std::string::npos);
    CHECK(html.find("<td class=\"t\">tab (faulted)</td>") != std::string::npos);
    CHECK(html.find("<td class=\"t\">renderer (killed)</td>") != std::string::npos);
    auto data = data_of(html)["runs"][0];
    CHECK(state_at(data, 0, 7) == "fault ran 'crash'");
    CHECK(state_at(data, 1, 7) == "killed by tab");
    CHECK(state_at(data, 2, 7) == "killed by tab");
    CHECK(state_at(data, 3, 9) == "done");
}

TEST_CASE("The lab page's thread lanes: ready, running, blocked on I/O, done", "[html]")
{
    // programs/kitchen.tl on one core, round-robin quantum 2: ramen runs 0-2, pasta 2-4,
    // cake 4-6, ramen 6-8 then waits for I/O until 10.
    auto trace = run(bundled("kitchen"), RunSpec { .cores = 1 });
    auto data = data_of(page(trace))["runs"][0];
    CHECK(state_at(data, 0, 0) == "run core 0");
    CHECK(state_at(data, 1, 0) == "ready");
    CHECK(state_at(data, 1, 2) == "run core 0");
    CHECK(state_at(data, 0, 8) == "io until 10");
    CHECK(state_at(data, 0, 13) == "done");
    CHECK(data["end"] == 13);
    // The ready queue from tick 2 on: cake, then ramen (its slice ended).
    bool found = false;
    for (auto const& snapshot : data["queues"])
        if (snapshot[0] == 2) {
            found = true;
            CHECK(snapshot[1][0][1] == nlohmann::json::parse("[2, 0]"));
        }
    CHECK(found);
    // The narration is the --explain text, grouped by tick.
    CHECK(data["story"][0][0] == 0);
    CHECK(data["story"][0][1][1] == "core 0 starts ramen: ramen was first in the ready queue.");
}

TEST_CASE("The lab page names the races trace/races finds, in the summary's words, with the final values", "[html]")
{
    auto race = run(bundled("race"), RunSpec { .cores = 2 });
    auto html = page(race);
    CHECK(html.find("<h2>Outcome<span class=\"badge\">race</span></h2>") != std::string::npos);
    CHECK(html.find("<p class=\"final\">shared variables of counter: count = 100</p>") != std::string::npos);
    CHECK(html.find("<p class=\"race\">race: thread b (line 17) reads count at tick 0 and thread a (line 14) writes it at "
                    "tick 2; no lock is held by both and neither waits for the other</p>")
        != std::string::npos);
    auto values = data_of(html)["runs"][0]["variables"][0];
    CHECK(values["final"] == 100);
    CHECK(values["writes"].size() == 200); // every incr writes once, lost or not

    auto locked = page(run(bundled("race_locked"), RunSpec { .cores = 2 }));
    CHECK(locked.find("<span class=\"badge ok\">finished</span>") != std::string::npos);
    CHECK(locked.find("<p class=\"figure\">data races: none in this run</p>") != std::string::npos);
}

TEST_CASE("The lab page is self-contained, safe from what a program prints, and speaks Korean", "[html]")
{
    auto program = parse_or_fail("process p\n  thread t\n    print \"</script><script>alert(1)</script>\"\n");
    auto html = page(run(program, RunSpec {}));
    CHECK(html.rfind("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n", 0) == 0);
    // Two scripts: the data and the player; the printed text cannot open or close one.
    std::size_t closes = 0;
    for (auto at = html.find("</script>"); at != std::string::npos; at = html.find("</script>", at + 1))
        ++closes;
    CHECK(closes == 2);
    CHECK(html.find("http://") == html.find("http://www.w3.org/2000/svg")); // the SVG namespace only: nothing fetched
    CHECK(html.find("https://") == std::string::npos);
    CHECK(html.find("<link") == std::string::npos);
    CHECK(html.find(" src=") == std::string::npos);
    CHECK(html.rfind("</body>\n</html>\n") == html.size() - 16);

    auto korean = page(run(bundled("kitchen"), RunSpec {}), Language::Ko);
    CHECK(korean.rfind("<!DOCTYPE html>\n<html lang=\"ko\">", 0) == 0);
    CHECK(korean.find("<h2>결과<span class=\"badge ok\">정상 종료</span></h2>") != std::string::npos);
    CHECK(data_of(korean)["words"]["ready"] == "준비 큐");
}

TEST_CASE("The lab page is byte for byte the same on every run", "[html]")
{
    auto first = page(run(bundled("race"), RunSpec { .cores = 2 }));
    auto second = page(run(bundled("race"), RunSpec { .cores = 2 }));
    CHECK(first == second);
}

} // namespace html_test
