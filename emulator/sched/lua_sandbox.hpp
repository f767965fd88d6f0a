#pragma once

// The sandbox a Lua policy runs in (docs/writing-a-scheduler.md, "Policies in Lua"): a memory
// budget, the safe standard libraries only, and deterministic replacements for what would
// make two runs differ (pairs and next in a fixed key order, a stable table.sort, tostring
// without addresses). A global that is not there says why when read.

#include <cstddef>
#include <lua.hpp>

namespace tl::lua_sandbox {

// The policy's memory: the allocator refuses to grow past `limit` and marks `exceeded`.
struct Budget {
    std::size_t used = 0;
    std::size_t limit = 0;
    bool exceeded = false;
};

// lua_Alloc over a Budget (the `data` pointer).
void* budgeted_alloc(void* data, void* pointer, std::size_t old_size, std::size_t new_size);

// lua_atpanic's handler: an error outside any protected call is a ticklab bug; says so and exits.
int panic(lua_State* state);

// Opens base, table, string, math and utf8 into the global table, removes what a policy may
// not use, puts in the deterministic replacements, and makes reading a forbidden global an
// error that says why. math.random is removed too: the caller supplies one from the run's
// seed. Leaves the stack as it found it.
void open_safe_libraries(lua_State* state);

}
