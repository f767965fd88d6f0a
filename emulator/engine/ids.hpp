#pragma once

#include <cstdint>

namespace tl {

using Tick = std::int64_t;
using CoreId = std::int32_t;    // 0 .. cores-1
using ProcessId = std::int32_t; // index in declaration order, 0-based
using ThreadId = std::int32_t;  // index over all threads of all processes, in declaration order
using VariableId = std::int32_t; // a shared variable: index in its process's declaration order
using MutexId = std::int32_t;    // a mutex: index in its process's declaration order
using TaskId = std::int32_t;     // a coroutine task: index in Trace::tasks, in creation order

inline constexpr CoreId no_core = -1;
inline constexpr ThreadId no_thread = -1;
inline constexpr ProcessId no_process = -1;

}
