-- A broken policy for the bad-input tests: FCFS with one mistake.
local queue = {}
function enqueue(thread) queue[#queue + 1] = thread end
function dequeue(thread)
  for i, t in ipairs(queue) do if t == thread then table.remove(queue, i) return end end
end
local history = {}
function pick(core)
  while true do history[#history + 1] = { core = core, tick = host.now() } end
end
