#include "sched/lua_policy.hpp"

#include <fmt/format.h>

// Policies written in Lua for the WebAssembly build, which has no Lua runtime: every way of
// making one reports that the playground cannot run them. The rest keeps its meaning (a name
// ending in ".lua" is still a policy file, so it gets this message rather than "unknown
// scheduler"), and no scheduler claims to be starvation free.

namespace tl {

namespace {

PolicyFinder policy_finder = nullptr;

std::string unavailable(std::string_view path)
{
    return fmt::format("{}: policies written in Lua are not available in the playground; run ticklab on a computer for them",
        path);
}

}

void set_policy_finder(PolicyFinder finder) { policy_finder = finder; }

std::string locate_policy_file(std::string const& name) { return policy_finder ? policy_finder(name) : name; }

bool is_lua_policy(std::string_view name) { return name.size() > 4 && name.ends_with(".lua"); }

bool lua_policies_available() { return false; }

bool claims_starvation_free(Scheduler const&) { return false; }

std::variant<SchedulerChoice, std::string> make_lua_scheduler(std::string_view path, SchedulerOptions const&, LuaLimits const&)
{
    return unavailable(path);
}

std::variant<SchedulerChoice, std::string> make_lua_scheduler_from_source(std::string_view path, std::string const&,
    SchedulerOptions const&, LuaLimits const&)
{
    return unavailable(path);
}

}
