#include "sched/lua_policy.hpp"

#include "engine/config.hpp"
#include "engine/verify.hpp"
#include "lang/diagnostic.hpp"
#include "lang/input_file.hpp"
#include "sched/prng.hpp"
#include "sched/weights.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <limits>
#include <lua.hpp>
#include <set>
#include <vector>

// Lua reports errors with longjmp through the C functions below: they hold no C++ object
// with a destructor while they call into Lua (messages are formatted into fixed buffers).

namespace tl {

namespace {

enum class Hook : std::uint8_t {
    Enqueue,
    Dequeue,
    Pick,
    Slice,
    ShouldPreempt,
    Started,
    Stopped,
    NextWakeup,
    OnTimer,
    ReadyQueues,
};
constexpr std::array<char const*, 10> hook_names { "enqueue", "dequeue", "pick", "slice", "should_preempt", "started",
    "stopped", "next_wakeup", "on_timer", "ready_queues" };
constexpr std::size_t hook_count = hook_names.size();

// What a policy may not use, and why, for the message a learner sees when it tries.
struct Forbidden {
    char const* name;
    char const* why;
};
constexpr std::array<Forbidden, 13> forbidden_globals { {
    { "os", "a policy cannot run programs, read the clock or leave ticklab" },
    { "io", "a policy cannot open or write files" },
    { "require", "a policy is one file and cannot load modules" },
    { "package", "a policy is one file and cannot load modules" },
    { "load", "a policy cannot load code" },
    { "loadfile", "a policy cannot load code or read files" },
    { "dofile", "a policy cannot load code or read files" },
    { "loadstring", "a policy cannot load code" },
    { "debug", "a policy cannot reach into Lua's internals" },
    { "collectgarbage", "the memory of a policy is ticklab's to manage" },
    { "print", "a policy answers through its hooks only; show what it knows with ready_queues" },
    { "coroutine", "a policy's hooks answer at once and cannot be suspended" },
    { "warn", "a policy answers through its hooks only" },
} };

struct Budget {
    std::size_t used = 0;
    std::size_t limit = 0;
    bool exceeded = false;
};

void* budgeted_alloc(void* data, void* pointer, std::size_t old_size, std::size_t new_size)
{
    auto& budget = *static_cast<Budget*>(data);
    std::size_t old = pointer ? old_size : 0;
    if (new_size == 0) {
        std::free(pointer);
        budget.used -= old;
        return nullptr;
    }
    if (new_size > old && budget.used - old + new_size > budget.limit) {
        budget.exceeded = true;
        return nullptr;
    }
    void* grown = std::realloc(pointer, new_size);
    if (!grown)
        return nullptr;
    budget.used = budget.used - old + new_size;
    return grown;
}

int panic(lua_State* state)
{
    char const* message = lua_tostring(state, -1);
    std::fprintf(stderr, "ticklab: internal error: the Lua policy runtime failed outside a call (%s); this is a ticklab bug, "
                         "please report it\n",
        message ? message : "no message");
    std::exit(70);
}

// ---- Deterministic replacements -------------------------------------------------------

// The order of keys for pairs and next: numbers (by value), then strings (by bytes), then
// false, true. Other keys (tables, functions) have no order that does not depend on
// addresses: pairs refuses them.
int key_rank(lua_State* state, int index)
{
    switch (lua_type(state, index)) {
    case LUA_TNUMBER:
        return 0;
    case LUA_TSTRING:
        return 1;
    case LUA_TBOOLEAN:
        return 2;
    default:
        return -1;
    }
}

bool key_less(lua_State* state, int a, int b)
{
    int rank_a = key_rank(state, a);
    int rank_b = key_rank(state, b);
    if (rank_a != rank_b)
        return rank_a < rank_b;
    if (rank_a == 0)
        return lua_compare(state, a, b, LUA_OPLT) != 0;
    if (rank_a == 1) {
        std::size_t size_a = 0;
        std::size_t size_b = 0;
        char const* text_a = lua_tolstring(state, a, &size_a);
        char const* text_b = lua_tolstring(state, b, &size_b);
        int order = std::memcmp(text_a, text_b, std::min(size_a, size_b));
        return order < 0 || (order == 0 && size_a < size_b);
    }
    return !lua_toboolean(state, a) && lua_toboolean(state, b);
}

// A stable bottom-up merge sort of the array src[1..n] (absolute index), using `less` on two
// values pushed on the stack (it pops nothing and may raise a Lua error). The sorted array
// takes src's place on the stack (it may be another table); the stack is as before.
template <typename Less>
void merge_sort(lua_State* state, int src, lua_Integer n, Less less)
{
    lua_createtable(state, static_cast<int>(std::min<lua_Integer>(n, 1 << 20)), 0);
    int dst = lua_gettop(state);
    lua_pushvalue(state, src);
    int from = lua_gettop(state); // a copy of src, so that the two can be swapped
    int to = dst;
    for (lua_Integer width = 1; width < n; width *= 2) {
        for (lua_Integer left = 1; left <= n; left += 2 * width) {
            lua_Integer middle = std::min(left + width, n + 1);
            lua_Integer right = std::min(left + 2 * width, n + 1);
            lua_Integer i = left;
            lua_Integer j = middle;
            for (lua_Integer k = left; k < right; ++k) {
                bool take_right = false;
                if (i < middle && j < right) {
                    lua_rawgeti(state, from, j);
                    lua_rawgeti(state, from, i);
                    take_right = less(lua_gettop(state) - 1, lua_gettop(state));
                    lua_pop(state, 2);
                } else {
                    take_right = i >= middle;
                }
                lua_rawgeti(state, from, take_right ? j++ : i++);
                lua_rawseti(state, to, k);
            }
        }
        std::swap(from, to);
    }
    lua_pushvalue(state, from);
    lua_replace(state, src);
    lua_settop(state, dst - 1);
}

// The keys of table `index`, sorted, as a new array at the top of the stack.
void sorted_keys(lua_State* state, int index)
{
    index = lua_absindex(state, index);
    lua_newtable(state);
    int keys = lua_gettop(state);
    lua_Integer n = 0;
    lua_pushnil(state);
    while (lua_next(state, index) != 0) {
        lua_pop(state, 1);
        if (key_rank(state, -1) < 0)
            luaL_error(state, "pairs/next: this table has a key of type %s; ticklab visits keys in sorted order, so they "
                              "must be numbers, strings or booleans",
                luaL_typename(state, -1));
        lua_pushvalue(state, -1);
        lua_rawseti(state, keys, ++n);
    }
    merge_sort(state, keys, n, [state](int a, int b) { return key_less(state, a, b); });
}

// The iterator of pairs: upvalues are the table, its sorted keys and the position reached.
// Keys removed during the walk are skipped.
int sorted_pairs_step(lua_State* state)
{
    lua_Integer position = lua_tointeger(state, lua_upvalueindex(3));
    for (;;) {
        ++position;
        if (lua_rawgeti(state, lua_upvalueindex(2), position) == LUA_TNIL)
            return 0;
        lua_pushvalue(state, -1);
        if (lua_rawget(state, lua_upvalueindex(1)) != LUA_TNIL) {
            lua_pushinteger(state, position);
            lua_replace(state, lua_upvalueindex(3));
            return 2; // key, value
        }
        lua_pop(state, 2);
    }
}

int sorted_pairs(lua_State* state)
{
    luaL_checktype(state, 1, LUA_TTABLE);
    lua_settop(state, 1);
    sorted_keys(state, 1);
    lua_pushinteger(state, 0);
    lua_pushcclosure(state, sorted_pairs_step, 3);
    lua_pushvalue(state, 1);
    lua_pushnil(state);
    return 3;
}

int sorted_next(lua_State* state)
{
    luaL_checktype(state, 1, LUA_TTABLE);
    lua_settop(state, 2);
    sorted_keys(state, 1);
    int keys = lua_gettop(state);
    lua_Integer n = static_cast<lua_Integer>(lua_rawlen(state, keys));
    lua_Integer position = 0;
    if (!lua_isnil(state, 2)) {
        // Binary search for the given key.
        lua_Integer low = 1;
        lua_Integer high = n;
        while (low <= high) {
            lua_Integer middle = (low + high) / 2;
            lua_rawgeti(state, keys, middle);
            if (lua_rawequal(state, -1, 2)) {
                position = middle;
                lua_pop(state, 1);
                break;
            }
            bool before = key_less(state, -1, 2);
            lua_pop(state, 1);
            if (before)
                low = middle + 1;
            else
                high = middle - 1;
        }
        if (position == 0)
            return luaL_error(state, "next: the key given is not in the table");
    }
    for (++position; position <= n; ++position) {
        lua_rawgeti(state, keys, position);
        lua_pushvalue(state, -1);
        if (lua_rawget(state, 1) != LUA_TNIL)
            return 2;
        lua_pop(state, 2);
    }
    lua_pushnil(state);
    return 1;
}

// table.sort, stable: equal elements keep their order (Lua's own sort is not stable and
// picks random pivots on large arrays).
int stable_sort(lua_State* state)
{
    luaL_checktype(state, 1, LUA_TTABLE);
    lua_Integer n = luaL_len(state, 1);
    bool has_less = !lua_isnoneornil(state, 2);
    if (has_less)
        luaL_checktype(state, 2, LUA_TFUNCTION);
    lua_settop(state, 2);
    lua_createtable(state, static_cast<int>(std::min<lua_Integer>(n, 1 << 20)), 0);
    int copy = lua_gettop(state);
    for (lua_Integer i = 1; i <= n; ++i) {
        lua_geti(state, 1, i);
        lua_rawseti(state, copy, i);
    }
    merge_sort(state, copy, n, [state, has_less](int a, int b) {
        if (!has_less)
            return lua_compare(state, a, b, LUA_OPLT) != 0;
        lua_pushvalue(state, 2);
        lua_pushvalue(state, a);
        lua_pushvalue(state, b);
        lua_call(state, 2, 1);
        bool less = lua_toboolean(state, -1) != 0;
        lua_pop(state, 1);
        return less;
    });
    for (lua_Integer i = 1; i <= n; ++i) {
        lua_rawgeti(state, copy, i);
        lua_seti(state, 1, i);
    }
    return 0;
}

// tostring without addresses: "table", "function".
int plain_tostring(lua_State* state)
{
    luaL_checkany(state, 1);
    int type = lua_type(state, 1);
    if ((type == LUA_TTABLE || type == LUA_TUSERDATA) && luaL_getmetafield(state, 1, "__tostring") != LUA_TNIL) {
        lua_pop(state, 1);
        luaL_tolstring(state, 1, nullptr);
        return 1;
    }
    if (type == LUA_TTABLE || type == LUA_TFUNCTION || type == LUA_TUSERDATA || type == LUA_TTHREAD
        || type == LUA_TLIGHTUSERDATA) {
        lua_pushstring(state, lua_typename(state, type));
        return 1;
    }
    luaL_tolstring(state, 1, nullptr);
    return 1;
}

// setmetatable without finalizers: a __gc would run policy code at moments the run does not
// choose.
int safe_setmetatable(lua_State* state)
{
    if (lua_istable(state, 2) && lua_getfield(state, 2, "__gc") != LUA_TNIL)
        return luaL_error(state, "setmetatable: __gc is not available in a policy");
    // Weak tables lose entries when the collector runs: a run would depend on its timing.
    if (lua_istable(state, 2) && lua_getfield(state, 2, "__mode") != LUA_TNIL)
        return luaL_error(state, "setmetatable: weak tables (__mode) are not available in a policy");
    lua_settop(state, 2);
    luaL_checktype(state, 1, LUA_TTABLE);
    if (!lua_isnil(state, 2))
        luaL_checktype(state, 2, LUA_TTABLE);
    lua_setmetatable(state, 1);
    return 1;
}

// string.format without %p: an address differs from run to run.
int safe_format(lua_State* state)
{
    std::size_t size = 0;
    char const* format = luaL_checklstring(state, 1, &size);
    for (std::size_t i = 0; i + 1 < size; ++i) {
        if (format[i] != '%')
            continue;
        std::size_t j = i + 1;
        while (j < size && std::strchr("-+ #0123456789.", format[j]))
            ++j;
        if (j < size && format[j] == 'p')
            return luaL_error(state, "string.format: %%p (an address) is not available in a policy");
        i = j;
    }
    lua_pushvalue(state, lua_upvalueindex(1));
    lua_insert(state, 1);
    lua_call(state, lua_gettop(state) - 1, 1);
    return 1;
}

// Reading a forbidden global names what it was and why it is not there.
int forbidden_index(lua_State* state)
{
    if (lua_type(state, 2) == LUA_TSTRING) {
        char const* name = lua_tostring(state, 2);
        for (auto const& forbidden : forbidden_globals)
            if (std::strcmp(name, forbidden.name) == 0)
                return luaL_error(state, "'%s' is not available in a policy: %s", name, forbidden.why);
    }
    return 0;
}

} // namespace

// ---- The scheduler ---------------------------------------------------------------------

class LuaScheduler final : public Scheduler {
public:
    LuaScheduler(std::string path, SchedulerOptions const& options, LuaLimits const& limits);
    ~LuaScheduler() override
    {
        if (m_state)
            lua_close(m_state);
    }
    LuaScheduler(LuaScheduler const&) = delete;
    LuaScheduler& operator=(LuaScheduler const&) = delete;

    // Compiles and runs the file's top level; a message on failure.
    std::optional<std::string> load(std::string const& source);
    std::string description() const { return m_description; }
    bool starvation_free() const { return m_starvation_free; }

    // A copy in the same state: a fresh Lua state loads the file again and is given the same
    // hook calls, each host question answered from the original's record (see m_calls).
    std::unique_ptr<Scheduler> clone() const override;

    void enqueue(ThreadId, EnqueueReason) override;
    void dequeue(ThreadId) override;
    std::optional<ThreadId> pick_next(CoreId) override;
    std::optional<Tick> slice(ThreadId, CoreId) override;
    bool should_preempt(CoreId, ThreadId) override;
    void started(ThreadId, CoreId) override;
    void stopped(ThreadId, CoreId, Tick) override;
    std::optional<Tick> next_wakeup() const override;
    void on_timer() override;
    std::vector<ReadyQueue> ready_queues() const override;

    // For the host functions.
    static LuaScheduler& self(lua_State* state)
    {
        return *static_cast<LuaScheduler*>(lua_touserdata(state, lua_upvalueindex(1)));
    }
    SchedulerHost const& machine(lua_State* state) const
    {
        if (!m_attached)
            luaL_error(state, "the machine can only be asked inside a hook, not while the file loads");
        return host();
    }
    ThreadId check_thread(lua_State* state, int argument) const;
    CoreId check_core(lua_State* state, int argument) const;
    SchedulerOptions const& options() const { return m_options; }
    std::uint64_t draw(std::uint64_t bound) { return m_random.below(bound); }
    std::set<std::string, std::less<>>& settings_read() { return m_settings_read; }

    void on_hook(lua_State* state, lua_Debug* debug);

    // A host answer: while replaying, the recorded one; otherwise `value`, recorded.
    std::int64_t answer(std::int64_t value) const
    {
        if (m_recording)
            m_answers.push_back(value);
        return value;
    }
    bool replaying() const { return m_replay != nullptr; }
    std::int64_t replayed() const { return (*m_replay)[m_replay_at++]; }

private:
    void call(Hook, int arguments, int results, std::string const& what) const;
    [[noreturn]] void fail(std::string const& message, std::string const& what) const;
    // The file and line a hook answered from: its return statement (or where it was defined).
    std::string answered_at(Hook) const;
    ThreadId answer_thread(int index, Hook, std::string const& what) const;
    void push_thread(ThreadId thread) const { lua_pushinteger(m_state, thread); }
    void note(ThreadId thread)
    {
        auto index = static_cast<std::size_t>(thread);
        if (index >= m_seen.size()) {
            m_seen.resize(index + 1, 0);
            m_ready_since.resize(index + 1, 0);
        }
        m_seen[index] = 1;
    }
    bool is_ready(ThreadId thread) const
    {
        auto index = static_cast<std::size_t>(thread);
        return thread >= 0 && index < m_ready_since.size() && m_ready_since[index] != 0;
    }
    void set_not_ready(ThreadId thread)
    {
        auto& since = m_ready_since[static_cast<std::size_t>(thread)];
        m_ready.erase({ since, thread });
        since = 0;
    }
    bool defines(Hook hook) const { return m_hooks[static_cast<std::size_t>(hook)] != LUA_NOREF; }

    struct Call {
        Hook hook;
        std::int64_t a = 0;
        std::int64_t b = 0;
        std::int64_t c = 0;
    };
    void journal(Hook hook, std::int64_t a = 0, std::int64_t b = 0, std::int64_t c = 0) const;

    std::string m_path;
    std::string m_source;
    SchedulerOptions m_options;
    LuaLimits m_limits;
    std::string m_description;
    bool m_starvation_free = false;
    std::unique_ptr<Budget> m_budget;
    lua_State* m_state = nullptr;
    std::array<int, hook_count> m_hooks {};
    std::array<int, 3> m_reasons {};
    SchedulerRandom m_random;
    std::set<std::string, std::less<>> m_settings_read;
    mutable bool m_attached = false; // inside a hook call: the machine may be asked

    // What the Machine has told the policy, to check its answers against.
    std::vector<char> m_seen;                       // per thread: the policy has heard of it
    std::vector<std::uint64_t> m_ready_since;       // per thread: its ready sequence number, 0 when not ready
    std::set<std::pair<std::uint64_t, ThreadId>> m_ready; // ready threads, in the order they became ready
    std::uint64_t m_sequence = 0;
    std::vector<char> m_dequeued;                   // per thread: left through dequeue when the policy has none

    // For clone(): every hook call and every host answer, in order, until they pass
    // max_journal values (a long run: then clone() says it cannot copy the policy).
    static constexpr std::size_t max_journal = 4'000'000;
    mutable std::vector<Call> m_calls;
    mutable std::vector<std::int64_t> m_answers;
    mutable bool m_recording = true;
    std::vector<std::int64_t> const* m_replay = nullptr;
    mutable std::size_t m_replay_at = 0;

    // Per call.
    mutable std::int64_t m_steps_left = 0;
    mutable int m_return_line = 0;
    mutable int m_current_line = 0; // the line the policy was on at the last step count
    mutable bool m_out_of_steps = false;
};

namespace {

void count_hook(lua_State* state, lua_Debug* debug)
{
    // The scheduler is kept in the registry (the allocator's data is the budget).
    lua_rawgetp(state, LUA_REGISTRYINDEX, &hook_names);
    auto* scheduler = static_cast<LuaScheduler*>(lua_touserdata(state, -1));
    lua_pop(state, 1);
    scheduler->on_hook(state, debug);
}

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
        lua_pushinteger(state, self.replaying() ? self.replayed() : self.answer(pinned[static_cast<std::size_t>(n)]));
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

// The message handler of every call: keeps Lua's "file:line: message".
int message_handler(lua_State* state)
{
    if (lua_type(state, 1) == LUA_TSTRING)
        return 1;
    if (luaL_callmeta(state, 1, "__tostring") && lua_type(state, -1) == LUA_TSTRING)
        return 1;
    lua_pushfstring(state, "the policy raised an error that is a %s, not a message", luaL_typename(state, 1));
    return 1;
}

// Sets up the sandbox: the safe libraries, the replacements, the host table.
int open_sandbox(lua_State* state)
{
    auto* scheduler = lua_touserdata(state, 1);
    luaL_requiref(state, LUA_GNAME, luaopen_base, 1);
    luaL_requiref(state, LUA_TABLIBNAME, luaopen_table, 1);
    luaL_requiref(state, LUA_STRLIBNAME, luaopen_string, 1);
    luaL_requiref(state, LUA_MATHLIBNAME, luaopen_math, 1);
    luaL_requiref(state, LUA_UTF8LIBNAME, luaopen_utf8, 1);
    lua_settop(state, 1);

    lua_pushglobaltable(state);
    int globals = lua_gettop(state);
    for (auto const& forbidden : forbidden_globals) {
        lua_pushnil(state);
        lua_setfield(state, globals, forbidden.name);
    }
    lua_pushcfunction(state, sorted_pairs);
    lua_setfield(state, globals, "pairs");
    lua_pushcfunction(state, sorted_next);
    lua_setfield(state, globals, "next");
    lua_pushcfunction(state, plain_tostring);
    lua_setfield(state, globals, "tostring");
    lua_pushcfunction(state, safe_setmetatable);
    lua_setfield(state, globals, "setmetatable");

    lua_getfield(state, globals, LUA_STRLIBNAME);
    lua_pushnil(state);
    lua_setfield(state, -2, "dump");
    lua_getfield(state, -1, "format");
    lua_pushcclosure(state, safe_format, 1);
    lua_setfield(state, -2, "format");
    lua_pop(state, 1);
    lua_getfield(state, globals, LUA_TABLIBNAME);
    lua_pushcfunction(state, stable_sort);
    lua_setfield(state, -2, "sort");
    lua_pop(state, 1);
    lua_getfield(state, globals, LUA_MATHLIBNAME);
    lua_pushnil(state);
    lua_setfield(state, -2, "randomseed");
    lua_pushlightuserdata(state, scheduler);
    lua_pushcclosure(state, host_random, 1);
    lua_setfield(state, -2, "random");
    lua_pop(state, 1);

    // The string metatable is shared: keep a policy from changing what "s:upper()" means.
    lua_pushliteral(state, "");
    lua_getmetatable(state, -1);
    lua_pushliteral(state, "the string metatable");
    lua_setfield(state, -2, "__metatable");
    lua_pop(state, 2);

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

    lua_createtable(state, 0, 1);
    lua_pushcfunction(state, forbidden_index);
    lua_setfield(state, -2, "__index");
    lua_setmetatable(state, globals);
    return 0;
}

} // namespace

LuaScheduler::LuaScheduler(std::string path, SchedulerOptions const& options, LuaLimits const& limits)
    : m_path(std::move(path))
    , m_options(options)
    , m_limits(limits)
    , m_budget(std::make_unique<Budget>())
    , m_random(options.seed)
{
    m_hooks.fill(LUA_NOREF);
    m_reasons.fill(LUA_NOREF);
    m_budget->limit = limits.memory;
}

void LuaScheduler::on_hook(lua_State* state, lua_Debug* debug)
{
    if (debug->event == LUA_HOOKRET) {
        if (lua_getinfo(state, "l", debug) && debug->currentline > 0)
            m_return_line = debug->currentline;
        return;
    }
    if (debug->event != LUA_HOOKCOUNT)
        return;
    if (lua_getinfo(state, "l", debug) && debug->currentline > 0)
        m_current_line = debug->currentline; // where a memory error most likely happened
    m_steps_left -= 1000;
    if (m_steps_left > 0)
        return;
    m_out_of_steps = true;
    lua_getinfo(state, "Sl", debug);
    lua_pushfstring(state, "%s:%d: the policy ran more than %I Lua steps in one call without answering (an endless loop?)",
        m_path.c_str(), debug->currentline, static_cast<lua_Integer>(m_limits.steps));
    lua_error(state);
}

std::optional<std::string> LuaScheduler::load(std::string const& source)
{
    m_source = source;
    m_state = lua_newstate(budgeted_alloc, m_budget.get());
    if (!m_state)
        return fmt::format("{}: not enough memory to start Lua", m_path);
    lua_atpanic(m_state, panic);
    lua_pushlightuserdata(m_state, this);
    lua_rawsetp(m_state, LUA_REGISTRYINDEX, &hook_names);
    lua_pushcfunction(m_state, open_sandbox);
    lua_pushlightuserdata(m_state, this);
    if (lua_pcall(m_state, 1, 0, 0) != LUA_OK)
        return fmt::format("{}: Lua could not start: {}", m_path, lua_tostring(m_state, -1));
    for (std::size_t i = 0; i < m_reasons.size(); ++i) {
        static constexpr std::array<char const*, 3> reasons { "arrived", "woke", "preempted" };
        lua_pushstring(m_state, reasons[i]);
        m_reasons[i] = luaL_ref(m_state, LUA_REGISTRYINDEX);
    }
    lua_sethook(m_state, count_hook, LUA_MASKCOUNT | LUA_MASKRET, 1000);

    // Compile: text only, never precompiled bytecode.
    std::string chunk_name = "@" + m_path;
    int status = luaL_loadbufferx(m_state, source.data(), source.size(), chunk_name.c_str(), "t");
    if (status != LUA_OK) {
        std::string message = lua_tostring(m_state, -1) ? lua_tostring(m_state, -1) : "cannot compile";
        lua_pop(m_state, 1);
        // "PATH:LINE: MESSAGE near 'TOKEN'": shown as a program's errors are, with the line
        // and a caret under the token when it can be found.
        auto prefix = m_path + ":";
        if (message.starts_with(prefix)) {
            auto rest = message.substr(prefix.size());
            auto colon = rest.find(':');
            int line = std::atoi(rest.substr(0, colon).c_str());
            if (line > 0 && colon != std::string::npos) {
                Diagnostic diagnostic;
                diagnostic.file = m_path;
                diagnostic.message = rest.substr(std::min(colon + 2, rest.size()));
                std::size_t start = 0;
                for (int current = 1; current < line && start != std::string::npos; ++current) {
                    start = source.find('\n', start);
                    start = start == std::string::npos ? start : start + 1;
                }
                if (start != std::string::npos && start <= source.size()) {
                    auto end = source.find('\n', start);
                    diagnostic.source_line = source.substr(start, end == std::string::npos ? end : end - start);
                    if (!diagnostic.source_line.empty() && diagnostic.source_line.back() == '\r')
                        diagnostic.source_line.pop_back();
                }
                int column = 0;
                auto near = diagnostic.message.rfind("near '");
                if (near != std::string::npos && !diagnostic.source_line.empty()) {
                    auto token = diagnostic.message.substr(near + 6);
                    if (!token.empty() && token.back() == '\'')
                        token.pop_back();
                    auto at = token == "<eof>" ? std::string::npos : diagnostic.source_line.find(token);
                    column = at == std::string::npos ? static_cast<int>(diagnostic.source_line.size()) + 1
                                                     : static_cast<int>(at) + 1;
                }
                diagnostic.where = { line, std::max(column, 1) };
                if (diagnostic.source_line.empty() && column == 0)
                    diagnostic.where.column = 0;
                auto text = format_diagnostic(diagnostic);
                // "FILE:L:C: error: MESSAGE": the command line adds its own "error: ".
                if (auto marker = text.find(": error: "); marker != std::string::npos)
                    text.erase(marker, 7);
                while (!text.empty() && text.back() == '\n')
                    text.pop_back();
                return text;
            }
        }
        return message;
    }
    m_steps_left = m_limits.steps;
    lua_pushcfunction(m_state, message_handler);
    lua_insert(m_state, -2);
    status = lua_pcall(m_state, 0, 0, -2);
    if (status != LUA_OK) {
        std::string message = status == LUA_ERRMEM && m_budget->exceeded
            ? fmt::format("{}: the policy went over its memory budget of {} while it loaded", m_path,
                limit_text(m_limits.memory))
            : std::string(lua_tostring(m_state, -1) ? lua_tostring(m_state, -1) : "error");
        lua_settop(m_state, 0);
        return message + " (while the file loaded)";
    }
    lua_settop(m_state, 0);

    lua_pushglobaltable(m_state);
    for (std::size_t i = 0; i < hook_count; ++i) {
        int type = lua_getfield(m_state, 1, hook_names[i]);
        if (type == LUA_TFUNCTION) {
            m_hooks[i] = luaL_ref(m_state, LUA_REGISTRYINDEX);
        } else {
            lua_pop(m_state, 1);
            if (type != LUA_TNIL)
                return fmt::format("{}: '{}' must be a function, not a {}", m_path, hook_names[i], lua_typename(m_state, type));
        }
    }
    m_starvation_free = lua_getfield(m_state, 1, "starvation_free") == LUA_TBOOLEAN && lua_toboolean(m_state, -1);
    lua_pop(m_state, 1);
    if (lua_getfield(m_state, 1, "description") == LUA_TSTRING)
        m_description = lua_tostring(m_state, -1);
    else
        m_description = fmt::format("a policy written in Lua ({})", m_path);
    lua_settop(m_state, 0);
    for (auto required : { Hook::Enqueue, Hook::Pick }) {
        if (!defines(required))
            return fmt::format("{}: a policy must define the function {} (see docs/writing-a-scheduler.md)", m_path,
                hook_names[static_cast<std::size_t>(required)]);
    }
    for (auto const& [name, value] : m_options.settings) {
        if (m_settings_read.contains(name))
            continue;
        std::string known;
        for (auto const& read : m_settings_read)
            known += fmt::format("{}{}", known.empty() ? "" : ", ", read);
        return fmt::format("policy '{}' has no setting '{}' ({})", m_path, name,
            known.empty() ? std::string("it reads no --set settings") : "it reads: " + known);
    }
    return std::nullopt;
}

ThreadId LuaScheduler::check_thread(lua_State* state, int argument) const
{
    int is_integer = 0;
    lua_Integer value = lua_tointegerx(state, argument, &is_integer);
    if (!is_integer || lua_type(state, argument) != LUA_TNUMBER)
        luaL_error(state, "expected a thread id (a whole number), got %s", luaL_typename(state, argument));
    if (value < 0 || static_cast<std::size_t>(value) >= m_seen.size() || !m_seen[static_cast<std::size_t>(value)])
        luaL_error(state, "%I is not a thread the machine has told the policy about", value);
    return static_cast<ThreadId>(value);
}

CoreId LuaScheduler::check_core(lua_State* state, int argument) const
{
    int is_integer = 0;
    lua_Integer value = lua_tointegerx(state, argument, &is_integer);
    if (!is_integer || lua_type(state, argument) != LUA_TNUMBER)
        luaL_error(state, "expected a core number, got %s", luaL_typename(state, argument));
    if (value < 0 || value >= m_options.cores)
        luaL_error(state, "there is no core %I (cores are numbered 0 to %d)", value, m_options.cores - 1);
    return static_cast<CoreId>(value);
}

[[noreturn]] void LuaScheduler::fail(std::string const& message, std::string const& what) const
{
    lua_settop(m_state, 0);
    throw PolicyError(fmt::format("{} (at tick {}, in {})", message, host().now(), what));
}

std::string LuaScheduler::answered_at(Hook hook) const
{
    if (m_return_line > 0)
        return fmt::format("{}:{}", m_path, m_return_line);
    lua_Debug debug;
    lua_rawgeti(m_state, LUA_REGISTRYINDEX, m_hooks[static_cast<std::size_t>(hook)]);
    lua_getinfo(m_state, ">S", &debug);
    return fmt::format("{}:{}", m_path, debug.linedefined);
}

// Calls the hook with `arguments` values pushed on the stack; leaves `results` values.
void LuaScheduler::call(Hook hook, int arguments, int results, std::string const& what) const
{
    int base = lua_gettop(m_state) - arguments;
    lua_pushcfunction(m_state, message_handler);
    lua_rawgeti(m_state, LUA_REGISTRYINDEX, m_hooks[static_cast<std::size_t>(hook)]);
    lua_rotate(m_state, base + 1, 2);
    m_attached = true;
    m_steps_left = m_limits.steps;
    m_return_line = 0;
    m_current_line = 0;
    m_out_of_steps = false;
    int status = lua_pcall(m_state, arguments, results, base + 1);
    if (status != LUA_OK) {
        if (status == LUA_ERRMEM && m_budget->exceeded)
            fail(fmt::format("{}: the policy went over its memory budget of {} (do its tables keep growing?)",
                     m_current_line > 0 ? fmt::format("{}:{}", m_path, m_current_line) : m_path, limit_text(m_limits.memory)),
                what);
        std::string message = lua_tostring(m_state, -1) ? lua_tostring(m_state, -1) : "error";
        // error("...", 0) and error(table) carry no position: name the file at least.
        if (!message.starts_with(m_path + ":"))
            message = fmt::format("{}: {}", m_path, message);
        fail(message, what);
    }
    lua_remove(m_state, base + 1); // the message handler
}

ThreadId LuaScheduler::answer_thread(int index, Hook hook, std::string const& what) const
{
    int is_integer = 0;
    lua_Integer value = lua_tointegerx(m_state, index, &is_integer);
    if (lua_type(m_state, index) != LUA_TNUMBER || !is_integer) {
        fail(fmt::format("{}: {} returned {} ({}), not a thread id or nil", answered_at(hook), hook_names[static_cast<std::size_t>(hook)],
                 lua_type(m_state, index) == LUA_TSTRING ? fmt::format("'{}'", lua_tostring(m_state, index))
                                                         : std::string(luaL_typename(m_state, index)),
                 luaL_typename(m_state, index)),
            what);
    }
    return value < 0 || value > std::numeric_limits<ThreadId>::max() ? ThreadId(-1) : static_cast<ThreadId>(value);
}

void LuaScheduler::enqueue(ThreadId thread, EnqueueReason reason)
{
    note(thread);
    if (thread < static_cast<ThreadId>(m_dequeued.size()))
        m_dequeued[static_cast<std::size_t>(thread)] = 0;
    m_ready_since[static_cast<std::size_t>(thread)] = ++m_sequence;
    m_ready.insert({ m_sequence, thread });
    journal(Hook::Enqueue, thread, static_cast<std::int64_t>(reason));
    push_thread(thread);
    lua_rawgeti(m_state, LUA_REGISTRYINDEX, m_reasons[static_cast<std::size_t>(reason)]);
    call(Hook::Enqueue, 2, 0, fmt::format("enqueue({}, \"{}\")", thread,
        reason == EnqueueReason::Arrived ? "arrived" : reason == EnqueueReason::Woke ? "woke" : "preempted"));
}

void LuaScheduler::dequeue(ThreadId thread)
{
    set_not_ready(thread);
    if (!defines(Hook::Dequeue)) {
        auto index = static_cast<std::size_t>(thread);
        if (index >= m_dequeued.size())
            m_dequeued.resize(index + 1, 0);
        m_dequeued[index] = 1;
        return;
    }
    journal(Hook::Dequeue, thread);
    push_thread(thread);
    call(Hook::Dequeue, 1, 0, fmt::format("dequeue({})", thread));
}

std::optional<ThreadId> LuaScheduler::pick_next(CoreId core)
{
    auto what = fmt::format("pick(core {})", core);
    journal(Hook::Pick, core);
    lua_pushinteger(m_state, core);
    call(Hook::Pick, 1, 1, what);
    if (lua_isnil(m_state, -1)) {
        lua_pop(m_state, 1);
        return std::nullopt;
    }
    ThreadId thread = answer_thread(-1, Hook::Pick, what);
    lua_pop(m_state, 1);
    if (!is_ready(thread)) {
        std::string why = "which is not ready (it is waiting, has ended, or was already picked)";
        auto index = static_cast<std::size_t>(thread);
        if (thread < 0 || index >= m_seen.size() || !m_seen[index]) {
            why = "which the machine never gave the policy";
        } else if (index < m_dequeued.size() && m_dequeued[index]) {
            why = "which left when its process ended (define dequeue(thread) to forget such threads)";
        } else {
            for (CoreId other = 0; other < host().core_count(); ++other)
                if (host().running_on(other) == thread)
                    why = fmt::format("which is running on core {}", other);
        }
        fail(fmt::format("{}: pick returned thread {}, {}", answered_at(Hook::Pick), thread, why), what);
    }
    if (!may_run_on(host().brief(thread).pinned, core))
        fail(fmt::format("{}: pick returned thread {}, which is pinned to other cores than core {} (ask "
                         "host.may_run_on(thread, core))",
                 answered_at(Hook::Pick), thread, core),
            what);
    set_not_ready(thread);
    return thread;
}

std::optional<Tick> LuaScheduler::slice(ThreadId thread, CoreId core)
{
    if (!defines(Hook::Slice))
        return std::nullopt;
    auto what = fmt::format("slice({}, core {})", thread, core);
    journal(Hook::Slice, thread, core);
    push_thread(thread);
    lua_pushinteger(m_state, core);
    call(Hook::Slice, 2, 1, what);
    if (lua_isnil(m_state, -1)) {
        lua_pop(m_state, 1);
        return std::nullopt;
    }
    int is_integer = 0;
    lua_Integer ticks = lua_tointegerx(m_state, -1, &is_integer);
    if (lua_type(m_state, -1) != LUA_TNUMBER || !is_integer)
        fail(fmt::format("{}: slice returned {}, not a whole number of ticks or nil", answered_at(Hook::Slice),
                 luaL_typename(m_state, -1)),
            what);
    lua_pop(m_state, 1);
    if (ticks < 1)
        fail(fmt::format("{}: slice returned {}: a slice must be at least 1 tick (or nil: until it blocks or ends)",
                 answered_at(Hook::Slice), ticks),
            what);
    if (ticks > max_tick_limit)
        fail(fmt::format("{}: slice returned {}: at most {} ticks", answered_at(Hook::Slice), ticks, max_tick_limit), what);
    return ticks;
}

bool LuaScheduler::should_preempt(CoreId core, ThreadId thread)
{
    if (!defines(Hook::ShouldPreempt))
        return false;
    auto what = fmt::format("should_preempt(core {}, {})", core, thread);
    journal(Hook::ShouldPreempt, core, thread);
    lua_pushinteger(m_state, core);
    push_thread(thread);
    call(Hook::ShouldPreempt, 2, 1, what);
    int type = lua_type(m_state, -1);
    if (type != LUA_TBOOLEAN && type != LUA_TNIL)
        fail(fmt::format("{}: should_preempt returned {}, not true or false", answered_at(Hook::ShouldPreempt),
                 luaL_typename(m_state, -1)),
            what);
    bool preempt = lua_toboolean(m_state, -1) != 0;
    lua_pop(m_state, 1);
    return preempt;
}

void LuaScheduler::started(ThreadId thread, CoreId core)
{
    note(thread);
    if (!defines(Hook::Started))
        return;
    journal(Hook::Started, thread, core);
    push_thread(thread);
    lua_pushinteger(m_state, core);
    call(Hook::Started, 2, 0, fmt::format("started({}, core {})", thread, core));
}

void LuaScheduler::stopped(ThreadId thread, CoreId core, Tick ran)
{
    if (!defines(Hook::Stopped))
        return;
    journal(Hook::Stopped, thread, core, ran);
    push_thread(thread);
    lua_pushinteger(m_state, core);
    lua_pushinteger(m_state, ran);
    call(Hook::Stopped, 3, 0, fmt::format("stopped({}, core {}, {})", thread, core, ran));
}

std::optional<Tick> LuaScheduler::next_wakeup() const
{
    if (!defines(Hook::NextWakeup))
        return std::nullopt;
    journal(Hook::NextWakeup);
    call(Hook::NextWakeup, 0, 1, "next_wakeup()");
    if (lua_isnil(m_state, -1)) {
        lua_pop(m_state, 1);
        return std::nullopt;
    }
    int is_integer = 0;
    lua_Integer tick = lua_tointegerx(m_state, -1, &is_integer);
    if (lua_type(m_state, -1) != LUA_TNUMBER || !is_integer)
        fail(fmt::format("{}: next_wakeup returned {}, not a tick or nil", answered_at(Hook::NextWakeup),
                 luaL_typename(m_state, -1)),
            "next_wakeup()");
    lua_pop(m_state, 1);
    if (tick <= host().now())
        fail(fmt::format("{}: next_wakeup returned tick {}, which is not after now (tick {})", answered_at(Hook::NextWakeup),
                 tick, host().now()),
            "next_wakeup()");
    return tick;
}

void LuaScheduler::on_timer()
{
    if (defines(Hook::OnTimer))
    {
        journal(Hook::OnTimer);
        call(Hook::OnTimer, 0, 0, "on_timer()");
    }
}

std::vector<ReadyQueue> LuaScheduler::ready_queues() const
{
    if (!defines(Hook::ReadyQueues)) {
        ReadyQueue queue;
        for (auto const& [sequence, thread] : m_ready)
            queue.threads.push_back(thread);
        return { queue };
    }
    char const* what = "ready_queues()";
    journal(Hook::ReadyQueues);
    call(Hook::ReadyQueues, 0, 1, what);
    if (lua_isnil(m_state, -1) && m_ready.empty()) {
        lua_pop(m_state, 1);
        return {}; // nothing ready and no queue to show
    }
    if (!lua_istable(m_state, -1))
        fail(fmt::format("{}: ready_queues returned {}, not a table (a list of threads, or a list of queues; nil only "
                         "when nothing is ready)",
                 answered_at(Hook::ReadyQueues), luaL_typename(m_state, -1)),
            what);
    int answer = lua_gettop(m_state);
    std::vector<ReadyQueue> queues;
    std::vector<char> listed(m_ready_since.size(), 0);
    std::size_t count = 0;
    auto read_queue = [&](int table, std::string label) {
        ReadyQueue queue { std::move(label), {} };
        auto length = static_cast<lua_Integer>(lua_rawlen(m_state, table));
        for (lua_Integer i = 1; i <= length; ++i) {
            lua_rawgeti(m_state, table, i);
            ThreadId thread = answer_thread(-1, Hook::ReadyQueues, what);
            lua_pop(m_state, 1);
            if (!is_ready(thread))
                fail(fmt::format("{}: ready_queues lists thread {}, which is not ready", answered_at(Hook::ReadyQueues), thread),
                    what);
            if (listed[static_cast<std::size_t>(thread)]++)
                fail(fmt::format("{}: ready_queues lists thread {} twice", answered_at(Hook::ReadyQueues), thread), what);
            queue.threads.push_back(thread);
            ++count;
        }
        queues.push_back(std::move(queue));
    };
    lua_rawgeti(m_state, answer, 1);
    bool several = lua_istable(m_state, -1);
    lua_pop(m_state, 1);
    if (!several) {
        read_queue(answer, "");
    } else {
        auto length = static_cast<lua_Integer>(lua_rawlen(m_state, answer));
        for (lua_Integer i = 1; i <= length; ++i) {
            if (lua_rawgeti(m_state, answer, i) != LUA_TTABLE)
                fail(fmt::format("{}: ready_queues returned a list of queues whose entry {} is a {}, not a queue",
                         answered_at(Hook::ReadyQueues), i, luaL_typename(m_state, -1)),
                    what);
            int queue = lua_gettop(m_state);
            std::string label;
            if (lua_getfield(m_state, queue, "label") == LUA_TSTRING)
                label = lua_tostring(m_state, -1);
            lua_pop(m_state, 1);
            read_queue(queue, std::move(label));
            lua_pop(m_state, 1);
        }
    }
    lua_settop(m_state, answer - 1);
    if (count != m_ready.size()) {
        for (auto const& [sequence, thread] : m_ready)
            if (!listed[static_cast<std::size_t>(thread)])
                fail(fmt::format("{}: ready_queues leaves out thread {}, which is ready", answered_at(Hook::ReadyQueues),
                         thread),
                    what);
    }
    return queues;
}

namespace {
PolicyFinder policy_finder = nullptr;
}

void set_policy_finder(PolicyFinder finder) { policy_finder = finder; }

std::string locate_policy_file(std::string const& name) { return policy_finder ? policy_finder(name) : name; }

bool claims_starvation_free(Scheduler const& scheduler)
{
    auto const* lua = dynamic_cast<LuaScheduler const*>(&scheduler);
    return lua && lua->starvation_free();
}

void LuaScheduler::journal(Hook hook, std::int64_t a, std::int64_t b, std::int64_t c) const
{
    if (!m_recording)
        return;
    m_calls.push_back({ hook, a, b, c });
    if (m_calls.size() * 4 + m_answers.size() > max_journal) {
        m_recording = false;
        m_calls = {};
        m_answers = {};
    }
}

std::unique_ptr<Scheduler> LuaScheduler::clone() const
{
    if (!m_recording)
        throw PolicyError(fmt::format("{}: this run of a policy written in Lua is too long for ticklab to copy it (a copy "
                                      "replays every call since the start)",
            m_path));
    auto copy = std::make_unique<LuaScheduler>(m_path, m_options, m_limits);
    if (auto failed = copy->load(m_source))
        throw PolicyError(*failed);
    copy->m_recording = false;
    copy->m_replay = &m_answers;
    copy->m_attached = true;
    copy->m_seen = m_seen; // the host functions check thread ids against it
    for (auto const& recorded : m_calls) {
        lua_pushcfunction(copy->m_state, message_handler);
        lua_rawgeti(copy->m_state, LUA_REGISTRYINDEX, copy->m_hooks[static_cast<std::size_t>(recorded.hook)]);
        int arguments = 0;
        auto push = [&](std::int64_t value) {
            lua_pushinteger(copy->m_state, value);
            ++arguments;
        };
        switch (recorded.hook) {
        case Hook::Enqueue:
            push(recorded.a);
            lua_rawgeti(copy->m_state, LUA_REGISTRYINDEX, copy->m_reasons[static_cast<std::size_t>(recorded.b)]);
            ++arguments;
            break;
        case Hook::Dequeue:
        case Hook::Pick:
            push(recorded.a);
            break;
        case Hook::Slice:
        case Hook::ShouldPreempt:
        case Hook::Started:
            push(recorded.a);
            push(recorded.b);
            break;
        case Hook::Stopped:
            push(recorded.a);
            push(recorded.b);
            push(recorded.c);
            break;
        case Hook::NextWakeup:
        case Hook::OnTimer:
        case Hook::ReadyQueues:
            break;
        }
        copy->m_steps_left = m_limits.steps;
        if (lua_pcall(copy->m_state, arguments, 0, -2 - arguments) != LUA_OK)
            throw PolicyError(fmt::format("{}: copying the policy failed: replaying its calls gave an error the run did "
                                          "not have ({})",
                m_path, lua_tostring(copy->m_state, -1) ? lua_tostring(copy->m_state, -1) : "no message"));
        lua_settop(copy->m_state, 0);
    }
    VERIFY(copy->m_replay_at == m_answers.size());
    copy->m_replay = nullptr;
    copy->m_recording = true;
    copy->m_calls = m_calls;
    copy->m_answers = m_answers;
    copy->m_seen = m_seen;
    copy->m_ready_since = m_ready_since;
    copy->m_ready = m_ready;
    copy->m_sequence = m_sequence;
    copy->m_dequeued = m_dequeued;
    copy->m_attached = m_attached;
    if (m_attached)
        copy->attach(host());
    return copy;
}

bool is_lua_policy(std::string_view name) { return name.size() > 4 && name.ends_with(".lua"); }

bool lua_policies_available() { return true; }

std::variant<SchedulerChoice, std::string> make_lua_scheduler(std::string_view path, SchedulerOptions const& options,
    LuaLimits const& limits)
{
    std::string error;
    auto source = read_input_file(std::filesystem::path(locate_policy_file(std::string(path))), error);
    if (!source)
        return fmt::format("cannot read the policy '{}': {}", path, error);
    return make_lua_scheduler_from_source(path, *source, options, limits);
}

std::variant<SchedulerChoice, std::string> make_lua_scheduler_from_source(std::string_view path, std::string const& source,
    SchedulerOptions const& options, LuaLimits const& limits)
{
    auto scheduler = std::make_unique<LuaScheduler>(std::string(path), options, limits);
    if (auto failed = scheduler->load(source))
        return *failed;
    auto description = scheduler->description();
    return SchedulerChoice { std::move(scheduler), std::string(path), std::move(description) };
}

}
