-- A broken policy for the bad-input tests: FCFS with one mistake.
local queue = {}
function enqueue(thread) queue[#queue + 1] = thread end
function dequeue(thread)
  for i, t in ipairs(queue) do if t == thread then table.remove(queue, i) return end end
end
function pick(core) return table.remove(queue, 1) end
function slice(thread, core)
  return host.quantum - 2   -- 0 with the default quantum
end
