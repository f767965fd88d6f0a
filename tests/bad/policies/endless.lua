-- A broken policy for the bad-input tests: FCFS with one mistake.
local queue = {}
function enqueue(thread) queue[#queue + 1] = thread end
function dequeue(thread)
  for i, t in ipairs(queue) do if t == thread then table.remove(queue, i) return end end
end
function pick(core)
  -- meant to skip pairs of threads: counts down by two from the queue's length, which
  -- never reaches 0 from an odd number
  local skip = #queue
  while skip ~= 0 do skip = skip - 2 end
  return table.remove(queue, 1)
end
