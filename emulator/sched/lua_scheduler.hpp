#pragma once

// The Lua policy as a Scheduler (sched/lua_policy.hpp is its public face): the class shared
// by the hooks' side (lua_policy.cpp) and the host functions a policy calls (lua_host.cpp).

#include "engine/per_id.hpp"
#include "sched/lua_policy.hpp"
#include "sched/lua_sandbox.hpp"
#include "sched/prng.hpp"
#include "sched/scheduler.hpp"

#include <array>
#include <cstdint>
#include <lua.hpp>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace tl {

enum class LuaHook : std::uint8_t {
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
inline constexpr std::array<char const*, 10> hook_names { "enqueue", "dequeue", "pick", "slice", "should_preempt", "started",
    "stopped", "next_wakeup", "on_timer", "ready_queues" };
inline constexpr std::size_t hook_count = hook_names.size();
inline char const* hook_name(LuaHook hook) { return hook_names[static_cast<std::size_t>(hook)]; }

using lua_sandbox::Budget;

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
    void call(LuaHook, int arguments, int results, std::string const& what) const;
    [[noreturn]] void fail(std::string const& message, std::string const& what) const;
    // The file and line a hook answered from: its return statement (or where it was defined).
    std::string answered_at(LuaHook) const;
    ThreadId answer_thread(int index, LuaHook, std::string const& what) const;
    void push_thread(ThreadId thread) const { lua_pushinteger(m_state, thread); }
    void note(ThreadId thread)
    {
        m_ready_since.grow_to(thread);
        m_seen.grow_to(thread) = 1;
    }
    bool is_ready(ThreadId thread) const
    {
        return m_ready_since.contains(thread) && m_ready_since[thread] != 0;
    }
    void set_not_ready(ThreadId thread)
    {
        auto& since = m_ready_since[thread];
        m_ready.erase({ since, thread });
        since = 0;
    }
    // The registry references of a hook's function and of an enqueue reason's string.
    int hook_ref(LuaHook hook) const { return m_hooks[static_cast<std::size_t>(hook)]; }
    int reason_ref(std::int64_t reason) const { return m_reasons[index_of(reason)]; }
    bool defines(LuaHook hook) const { return hook_ref(hook) != LUA_NOREF; }

    struct Call {
        LuaHook hook;
        std::int64_t a = 0;
        std::int64_t b = 0;
        std::int64_t c = 0;
    };
    void journal(LuaHook hook, std::int64_t a = 0, std::int64_t b = 0, std::int64_t c = 0) const;

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
    PerId<ThreadId, char> m_seen;                   // the policy has heard of it
    PerId<ThreadId, std::uint64_t> m_ready_since;   // its ready sequence number, 0 when not ready
    std::set<std::pair<std::uint64_t, ThreadId>> m_ready; // ready threads, in the order they became ready
    std::uint64_t m_sequence = 0;
    PerId<ThreadId, char> m_dequeued;               // left through dequeue when the policy has none

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

// Sets up a fresh state's globals: the sandbox (sched/lua_sandbox.hpp), math.random from the
// run's seed and the host table. Called through lua_pcall with the LuaScheduler as argument 1.
int open_sandbox(lua_State* state);

}
