#include "sched/lua_sandbox.hpp"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <limits>

// Lua reports errors with longjmp through the C functions below: they hold no C++ object
// with a destructor while they call into Lua (messages are formatted into fixed buffers).

namespace tl::lua_sandbox {

namespace {

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

void open_safe_libraries(lua_State* state)
{
    int top = lua_gettop(state);
    luaL_requiref(state, LUA_GNAME, luaopen_base, 1);
    luaL_requiref(state, LUA_TABLIBNAME, luaopen_table, 1);
    luaL_requiref(state, LUA_STRLIBNAME, luaopen_string, 1);
    luaL_requiref(state, LUA_MATHLIBNAME, luaopen_math, 1);
    luaL_requiref(state, LUA_UTF8LIBNAME, luaopen_utf8, 1);
    lua_settop(state, top);

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
    lua_pushnil(state);
    lua_setfield(state, -2, "random");
    lua_pop(state, 1);

    // The string metatable is shared: keep a policy from changing what "s:upper()" means.
    lua_pushliteral(state, "");
    lua_getmetatable(state, -1);
    lua_pushliteral(state, "the string metatable");
    lua_setfield(state, -2, "__metatable");
    lua_pop(state, 2);

    lua_createtable(state, 0, 1);
    lua_pushcfunction(state, forbidden_index);
    lua_setfield(state, -2, "__index");
    lua_setmetatable(state, globals);
    lua_settop(state, top);
}

}
