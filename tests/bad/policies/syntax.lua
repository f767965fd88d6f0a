-- A broken policy for the bad-input tests: FCFS with one mistake.
local queue = {}
function enqueue(thread) queue[#queue + 1] = thread end
function dequeue(thread)
  for i, t in ipairs(queue) do if t == thread then table.remove(queue, i) return end end
end
function pick(core)
  if #queue > 0
    return table.remove(queue, 1)
  end
end
