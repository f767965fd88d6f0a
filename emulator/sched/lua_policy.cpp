#include "sched/lua_scheduler.hpp"

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

using lua_sandbox::budgeted_alloc;
using lua_sandbox::panic;

void count_hook(lua_State* state, lua_Debug* debug)
{
    // The scheduler is kept in the registry (the allocator's data is the budget).
    lua_rawgetp(state, LUA_REGISTRYINDEX, &hook_names);
    auto* scheduler = static_cast<LuaScheduler*>(lua_touserdata(state, -1));
    lua_pop(state, 1);
    scheduler->on_hook(state, debug);
}

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
    for (auto required : { LuaHook::Enqueue, LuaHook::Pick }) {
        if (!defines(required))
            return fmt::format("{}: a policy must define the function {} (see docs/writing-a-scheduler.md)", m_path,
                hook_name(required));
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
    if (value < 0 || value >= m_seen.count() || !m_seen[static_cast<ThreadId>(value)])
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

std::string LuaScheduler::answered_at(LuaHook hook) const
{
    if (m_return_line > 0)
        return fmt::format("{}:{}", m_path, m_return_line);
    lua_Debug debug;
    lua_rawgeti(m_state, LUA_REGISTRYINDEX, hook_ref(hook));
    lua_getinfo(m_state, ">S", &debug);
    return fmt::format("{}:{}", m_path, debug.linedefined);
}

// Calls the hook with `arguments` values pushed on the stack; leaves `results` values.
void LuaScheduler::call(LuaHook hook, int arguments, int results, std::string const& what) const
{
    int base = lua_gettop(m_state) - arguments;
    lua_pushcfunction(m_state, message_handler);
    lua_rawgeti(m_state, LUA_REGISTRYINDEX, hook_ref(hook));
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

ThreadId LuaScheduler::answer_thread(int index, LuaHook hook, std::string const& what) const
{
    int is_integer = 0;
    lua_Integer value = lua_tointegerx(m_state, index, &is_integer);
    if (lua_type(m_state, index) != LUA_TNUMBER || !is_integer) {
        fail(fmt::format("{}: {} returned {} ({}), not a thread id or nil", answered_at(hook), hook_name(hook),
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
    if (m_dequeued.contains(thread))
        m_dequeued[thread] = 0;
    m_ready_since[thread] = ++m_sequence;
    m_ready.insert({ m_sequence, thread });
    journal(LuaHook::Enqueue, thread, static_cast<std::int64_t>(reason));
    push_thread(thread);
    lua_rawgeti(m_state, LUA_REGISTRYINDEX, reason_ref(static_cast<std::int64_t>(reason)));
    call(LuaHook::Enqueue, 2, 0, fmt::format("enqueue({}, \"{}\")", thread,
        reason == EnqueueReason::Arrived ? "arrived" : reason == EnqueueReason::Woke ? "woke" : "preempted"));
}

void LuaScheduler::dequeue(ThreadId thread)
{
    set_not_ready(thread);
    if (!defines(LuaHook::Dequeue)) {
        m_dequeued.grow_to(thread) = 1;
        return;
    }
    journal(LuaHook::Dequeue, thread);
    push_thread(thread);
    call(LuaHook::Dequeue, 1, 0, fmt::format("dequeue({})", thread));
}

std::optional<ThreadId> LuaScheduler::pick_next(CoreId core)
{
    auto what = fmt::format("pick(core {})", core);
    journal(LuaHook::Pick, core);
    lua_pushinteger(m_state, core);
    call(LuaHook::Pick, 1, 1, what);
    if (lua_isnil(m_state, -1)) {
        lua_pop(m_state, 1);
        return std::nullopt;
    }
    ThreadId thread = answer_thread(-1, LuaHook::Pick, what);
    lua_pop(m_state, 1);
    if (!is_ready(thread)) {
        std::string why = "which is not ready (it is waiting, has ended, or was already picked)";
        if (!m_seen.contains(thread) || !m_seen[thread]) {
            why = "which the machine never gave the policy";
        } else if (m_dequeued.contains(thread) && m_dequeued[thread]) {
            why = "which left when its process ended (define dequeue(thread) to forget such threads)";
        } else {
            for (CoreId other = 0; other < host().core_count(); ++other)
                if (host().running_on(other) == thread)
                    why = fmt::format("which is running on core {}", other);
        }
        fail(fmt::format("{}: pick returned thread {}, {}", answered_at(LuaHook::Pick), thread, why), what);
    }
    if (!may_run_on(host().brief(thread).pinned, core))
        fail(fmt::format("{}: pick returned thread {}, which is pinned to other cores than core {} (ask "
                         "host.may_run_on(thread, core))",
                 answered_at(LuaHook::Pick), thread, core),
            what);
    set_not_ready(thread);
    return thread;
}

std::optional<Tick> LuaScheduler::slice(ThreadId thread, CoreId core)
{
    if (!defines(LuaHook::Slice))
        return std::nullopt;
    auto what = fmt::format("slice({}, core {})", thread, core);
    journal(LuaHook::Slice, thread, core);
    push_thread(thread);
    lua_pushinteger(m_state, core);
    call(LuaHook::Slice, 2, 1, what);
    if (lua_isnil(m_state, -1)) {
        lua_pop(m_state, 1);
        return std::nullopt;
    }
    int is_integer = 0;
    lua_Integer ticks = lua_tointegerx(m_state, -1, &is_integer);
    if (lua_type(m_state, -1) != LUA_TNUMBER || !is_integer)
        fail(fmt::format("{}: slice returned {}, not a whole number of ticks or nil", answered_at(LuaHook::Slice),
                 luaL_typename(m_state, -1)),
            what);
    lua_pop(m_state, 1);
    if (ticks < 1)
        fail(fmt::format("{}: slice returned {}: a slice must be at least 1 tick (or nil: until it blocks or ends)",
                 answered_at(LuaHook::Slice), ticks),
            what);
    if (ticks > max_tick_limit)
        fail(fmt::format("{}: slice returned {}: at most {} ticks", answered_at(LuaHook::Slice), ticks, max_tick_limit), what);
    return ticks;
}

bool LuaScheduler::should_preempt(CoreId core, ThreadId thread)
{
    if (!defines(LuaHook::ShouldPreempt))
        return false;
    auto what = fmt::format("should_preempt(core {}, {})", core, thread);
    journal(LuaHook::ShouldPreempt, core, thread);
    lua_pushinteger(m_state, core);
    push_thread(thread);
    call(LuaHook::ShouldPreempt, 2, 1, what);
    int type = lua_type(m_state, -1);
    if (type != LUA_TBOOLEAN && type != LUA_TNIL)
        fail(fmt::format("{}: should_preempt returned {}, not true or false", answered_at(LuaHook::ShouldPreempt),
                 luaL_typename(m_state, -1)),
            what);
    bool preempt = lua_toboolean(m_state, -1) != 0;
    lua_pop(m_state, 1);
    return preempt;
}

void LuaScheduler::started(ThreadId thread, CoreId core)
{
    note(thread);
    if (!defines(LuaHook::Started))
        return;
    journal(LuaHook::Started, thread, core);
    push_thread(thread);
    lua_pushinteger(m_state, core);
    call(LuaHook::Started, 2, 0, fmt::format("started({}, core {})", thread, core));
}

void LuaScheduler::stopped(ThreadId thread, CoreId core, Tick ran)
{
    if (!defines(LuaHook::Stopped))
        return;
    journal(LuaHook::Stopped, thread, core, ran);
    push_thread(thread);
    lua_pushinteger(m_state, core);
    lua_pushinteger(m_state, ran);
    call(LuaHook::Stopped, 3, 0, fmt::format("stopped({}, core {}, {})", thread, core, ran));
}

std::optional<Tick> LuaScheduler::next_wakeup() const
{
    if (!defines(LuaHook::NextWakeup))
        return std::nullopt;
    journal(LuaHook::NextWakeup);
    call(LuaHook::NextWakeup, 0, 1, "next_wakeup()");
    if (lua_isnil(m_state, -1)) {
        lua_pop(m_state, 1);
        return std::nullopt;
    }
    int is_integer = 0;
    lua_Integer tick = lua_tointegerx(m_state, -1, &is_integer);
    if (lua_type(m_state, -1) != LUA_TNUMBER || !is_integer)
        fail(fmt::format("{}: next_wakeup returned {}, not a tick or nil", answered_at(LuaHook::NextWakeup),
                 luaL_typename(m_state, -1)),
            "next_wakeup()");
    lua_pop(m_state, 1);
    if (tick <= host().now())
        fail(fmt::format("{}: next_wakeup returned tick {}, which is not after now (tick {})", answered_at(LuaHook::NextWakeup),
                 tick, host().now()),
            "next_wakeup()");
    return tick;
}

void LuaScheduler::on_timer()
{
    if (defines(LuaHook::OnTimer))
    {
        journal(LuaHook::OnTimer);
        call(LuaHook::OnTimer, 0, 0, "on_timer()");
    }
}

std::vector<ReadyQueue> LuaScheduler::ready_queues() const
{
    if (!defines(LuaHook::ReadyQueues)) {
        ReadyQueue queue;
        for (auto const& [sequence, thread] : m_ready)
            queue.threads.push_back(thread);
        return { queue };
    }
    char const* what = "ready_queues()";
    journal(LuaHook::ReadyQueues);
    call(LuaHook::ReadyQueues, 0, 1, what);
    if (lua_isnil(m_state, -1) && m_ready.empty()) {
        lua_pop(m_state, 1);
        return {}; // nothing ready and no queue to show
    }
    if (!lua_istable(m_state, -1))
        fail(fmt::format("{}: ready_queues returned {}, not a table (a list of threads, or a list of queues; nil only "
                         "when nothing is ready)",
                 answered_at(LuaHook::ReadyQueues), luaL_typename(m_state, -1)),
            what);
    int answer = lua_gettop(m_state);
    std::vector<ReadyQueue> queues;
    PerId<ThreadId, char> listed(m_ready_since.count(), 0);
    std::size_t count = 0;
    auto read_queue = [&](int table, std::string label) {
        ReadyQueue queue { std::move(label), {} };
        auto length = static_cast<lua_Integer>(lua_rawlen(m_state, table));
        for (lua_Integer i = 1; i <= length; ++i) {
            lua_rawgeti(m_state, table, i);
            ThreadId thread = answer_thread(-1, LuaHook::ReadyQueues, what);
            lua_pop(m_state, 1);
            if (!is_ready(thread))
                fail(fmt::format("{}: ready_queues lists thread {}, which is not ready", answered_at(LuaHook::ReadyQueues), thread),
                    what);
            if (listed[thread]++)
                fail(fmt::format("{}: ready_queues lists thread {} twice", answered_at(LuaHook::ReadyQueues), thread), what);
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
                         answered_at(LuaHook::ReadyQueues), i, luaL_typename(m_state, -1)),
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
            if (!listed[thread])
                fail(fmt::format("{}: ready_queues leaves out thread {}, which is ready", answered_at(LuaHook::ReadyQueues),
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

void LuaScheduler::journal(LuaHook hook, std::int64_t a, std::int64_t b, std::int64_t c) const
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
        lua_rawgeti(copy->m_state, LUA_REGISTRYINDEX, copy->hook_ref(recorded.hook));
        int arguments = 0;
        auto push = [&](std::int64_t value) {
            lua_pushinteger(copy->m_state, value);
            ++arguments;
        };
        switch (recorded.hook) {
        case LuaHook::Enqueue:
            push(recorded.a);
            lua_rawgeti(copy->m_state, LUA_REGISTRYINDEX, copy->reason_ref(recorded.b));
            ++arguments;
            break;
        case LuaHook::Dequeue:
        case LuaHook::Pick:
            push(recorded.a);
            break;
        case LuaHook::Slice:
        case LuaHook::ShouldPreempt:
        case LuaHook::Started:
            push(recorded.a);
            push(recorded.b);
            break;
        case LuaHook::Stopped:
            push(recorded.a);
            push(recorded.b);
            push(recorded.c);
            break;
        case LuaHook::NextWakeup:
        case LuaHook::OnTimer:
        case LuaHook::ReadyQueues:
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
