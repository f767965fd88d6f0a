-- A broken policy for the bad-input tests: it tries to log to a file.
local queue = {}
function enqueue(thread)
  local log = io.open("/tmp/ticklab-policy.log", "a")
  queue[#queue + 1] = thread
end
function pick(core) return table.remove(queue, 1) end
