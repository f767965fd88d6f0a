#include "sched/lua_scheduler.hpp"

#include "engine/config.hpp"
#include "sched/weights.hpp"

#include <algorithm>
#include <cstring>
#include <fmt/format.h>
#include <limits>
#include <span>

// The host table a Lua policy asks the machine through (docs/writing-a-scheduler.md): host.now,
// host.facts, host.random, host.setting and the rest. Each function answers from the machine
// and records its answer, or, in a copy being replayed, answers from the record.

// Lua reports errors with longjmp through these functions: they hold no C++ object with a
// destructor while they call into Lua (messages are formatted into fixed buffers).

namespace tl {

namespace {

// host.* functions. Each takes the LuaScheduler as upvalue 1.
int host_now(lua_State* state)
{
    auto& self = LuaScheduler::self(state);
    lua_pushinteger(state, self.replaying() ? self.replayed() : self.answer(self.machine(state).now()));
    return 1;
}

int host_cores(lua_State* state)
{
    lua_pushinteger(state, LuaScheduler::self(state).options().cores);
    return 1;
}

int host_running_on(lua_State* state)
{
    auto& self = LuaScheduler::self(state);
    CoreId core = self.check_core(state, 1);
    auto thread = self.replaying() ? self.replayed() : self.answer(self.machine(state).running_on(core));
    if (thread == no_thread)
        lua_pushnil(state);
    else
        lua_pushinteger(state, thread);
    return 1;
}

int host_worked(lua_State* state)
{
    auto& self = LuaScheduler::self(state);
    CoreId core = self.check_core(state, 1);
    lua_pushinteger(state, self.replaying() ? self.replayed() : self.answer(self.machine(state).worked(core)));
    return 1;
}

// The cores a thread may use, as a list: from the host (recorded), or from the record.
void push_pinned(lua_State* state, LuaScheduler const& self, std::span<int const> pinned)
{
    auto count = self.replaying() ? self.replayed() : self.answer(static_cast<std::int64_t>(pinned.size()));
    lua_createtable(state, static_cast<int>(count), 0);
    for (lua_Integer n = 0; n < count; ++n) {
        lua_pushinteger(state, self.replaying() ? self.replayed() : self.answer(pinned[index_of(n)]));
        lua_rawseti(state, -2, n + 1);
    }
}

int host_facts(lua_State* state)
{
    auto& self = LuaScheduler::self(state);
    ThreadId thread = self.check_thread(state, 1);
    ThreadFacts facts;
    if (self.replaying()) {
        facts.id = static_cast<ThreadId>(self.replayed());
        facts.process = static_cast<ProcessId>(self.replayed());
        facts.arrival = self.replayed();
        facts.priority = static_cast<int>(self.replayed());
        facts.next_burst = self.replayed();
        facts.remaining = self.replayed();
        facts.last_core = static_cast<CoreId>(self.replayed());
    } else {
        facts = self.machine(state).facts(thread);
        for (std::int64_t value : { std::int64_t(facts.id), std::int64_t(facts.process), facts.arrival,
                 std::int64_t(facts.priority), facts.next_burst, facts.remaining, std::int64_t(facts.last_core) })
            self.answer(value);
    }
    lua_createtable(state, 0, 8);
    auto field = [state](char const* name, lua_Integer value) {
        lua_pushinteger(state, value);
        lua_setfield(state, -2, name);
    };
    field("id", facts.id);
    field("process", facts.process);
    field("arrival", facts.arrival);
    field("priority", facts.priority);
    field("next_burst", facts.next_burst);
    field("remaining", facts.remaining);
    if (facts.last_core != no_core)
        field("last_core", facts.last_core);
    push_pinned(state, self, facts.pinned);
    lua_setfield(state, -2, "pinned");
    return 1;
}

int host_pinned(lua_State* state)
{
    auto& self = LuaScheduler::self(state);
    ThreadId thread = self.check_thread(state, 1);
    push_pinned(state, self, self.replaying() ? std::span<int const>() : self.machine(state).brief(thread).pinned);
    return 1;
}

int host_may_run_on(lua_State* state)
{
    auto& self = LuaScheduler::self(state);
    ThreadId thread = self.check_thread(state, 1);
    CoreId core = self.check_core(state, 2);
    lua_pushboolean(state,
        static_cast<int>(self.replaying() ? self.replayed() : self.answer(may_run_on(self.machine(state).brief(thread).pinned, core))));
    return 1;
}

int host_process(lua_State* state)
{
    auto& self = LuaScheduler::self(state);
    ThreadId thread = self.check_thread(state, 1);
    lua_pushinteger(state, self.replaying() ? self.replayed() : self.answer(self.machine(state).brief(thread).process));
    return 1;
}

int host_priority(lua_State* state)
{
    auto& self = LuaScheduler::self(state);
    ThreadId thread = self.check_thread(state, 1);
    lua_pushinteger(state, self.replaying() ? self.replayed() : self.answer(self.machine(state).brief(thread).priority));
    return 1;
}

int host_weight(lua_State* state)
{
    lua_Integer priority = luaL_checkinteger(state, 1);
    luaL_argcheck(state, priority >= -1000 && priority <= 1000, 1, "a priority between -1000 and 1000");
    lua_pushinteger(state, weight_of_priority(static_cast<int>(priority)));
    return 1;
}

// math.random and host.random: the run's seeded generator. random(n): 1..n; random(m, n):
// m..n; random(): a float in [0, 1).
int host_random(lua_State* state)
{
    auto& self = LuaScheduler::self(state);
    int arguments = lua_gettop(state);
    if (arguments == 0) {
        lua_pushnumber(state, static_cast<lua_Number>(self.draw(std::uint64_t(1) << 53)) / 9007199254740992.0);
        return 1;
    }
    lua_Integer low = 1;
    lua_Integer high = luaL_checkinteger(state, 1);
    if (arguments >= 2) {
        low = high;
        high = luaL_checkinteger(state, 2);
    }
    luaL_argcheck(state, low <= high, arguments >= 2 ? 2 : 1, "interval is empty");
    auto span = static_cast<std::uint64_t>(high) - static_cast<std::uint64_t>(low) + 1;
    auto drawn = span == 0 ? self.draw(~std::uint64_t(0)) : self.draw(span); // span 0: the whole range
    lua_pushinteger(state, static_cast<lua_Integer>(static_cast<std::uint64_t>(low) + drawn));
    return 1;
}

// host.setting(name, default): a --set value, read as the default's type (a whole number,
// true/false/on/off, or text). Only while the file loads.
int host_setting(lua_State* state)
{
    auto& self = LuaScheduler::self(state);
    char const* name = luaL_checkstring(state, 1);
    luaL_checkany(state, 2);
    auto const& settings = self.options().settings;
    auto found = settings.find(std::string_view(name));
    if (self.settings_read().size() < 64)
        self.settings_read().emplace(name);
    if (found == settings.end()) {
        lua_settop(state, 2);
        return 1;
    }
    char const* text = found->second.c_str();
    switch (lua_type(state, 2)) {
    case LUA_TNUMBER: {
        char* end = nullptr;
        errno = 0;
        long long value = std::strtoll(text, &end, 10);
        if (*text == '\0' || *end != '\0' || errno != 0)
            return luaL_error(state, "--set %s=%s: the policy expects a whole number", name, text);
        lua_pushinteger(state, static_cast<lua_Integer>(value));
        return 1;
    }
    case LUA_TBOOLEAN:
        if (std::strcmp(text, "on") == 0 || std::strcmp(text, "true") == 0) {
            lua_pushboolean(state, 1);
            return 1;
        }
        if (std::strcmp(text, "off") == 0 || std::strcmp(text, "false") == 0) {
            lua_pushboolean(state, 0);
            return 1;
        }
        return luaL_error(state, "--set %s=%s: the policy expects on or off", name, text);
    default:
        lua_pushstring(state, text);
        return 1;
    }
}

constexpr std::array<luaL_Reg, 12> host_functions { {
    { "now", host_now },
    { "cores", host_cores },
    { "running_on", host_running_on },
    { "worked", host_worked },
    { "facts", host_facts },
    { "pinned", host_pinned },
    { "may_run_on", host_may_run_on },
    { "process", host_process },
    { "priority", host_priority },
    { "weight", host_weight },
    { "random", host_random },
    { "setting", host_setting },
} };

} // namespace

// Sets up the sandbox: the safe libraries and their deterministic replacements
// (sched/lua_sandbox.hpp), math.random from the run's seed, and the host table.
int open_sandbox(lua_State* state)
{
    auto* scheduler = lua_touserdata(state, 1);
    lua_sandbox::open_safe_libraries(state);

    lua_pushglobaltable(state);
    int globals = lua_gettop(state);
    lua_getfield(state, globals, LUA_MATHLIBNAME);
    lua_pushlightuserdata(state, scheduler);
    lua_pushcclosure(state, host_random, 1);
    lua_setfield(state, -2, "random");
    lua_pop(state, 1);

    lua_createtable(state, 0, static_cast<int>(host_functions.size() + 2));
    for (auto const& function : host_functions) {
        lua_pushlightuserdata(state, scheduler);
        lua_pushcclosure(state, function.func, 1);
        lua_setfield(state, -2, function.name);
    }
    auto const& self = *static_cast<LuaScheduler*>(scheduler);
    lua_pushinteger(state, self.options().quantum);
    lua_setfield(state, -2, "quantum");
    lua_pushinteger(state, static_cast<lua_Integer>(self.options().seed));
    lua_setfield(state, -2, "seed");
    lua_setfield(state, globals, "host");
    lua_pop(state, 1);
    return 0;
}

}
