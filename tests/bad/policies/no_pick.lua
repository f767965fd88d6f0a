-- A broken policy for the bad-input tests: its pick is misspelt.
local queue = {}
function enqueue(thread) queue[#queue + 1] = thread end
function pick_next(core) return table.remove(queue, 1) end
