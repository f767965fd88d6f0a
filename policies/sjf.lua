-- Shortest job first, non-preemptive: the twin of `--scheduler sjf`.
-- Run it:  ticklab run --jobs "P1:0:6,P2:0:8,P3:0:7,P4:0:3" --scheduler policies/sjf.lua
--
-- A free core takes the ready thread with the shortest next CPU burst (the machine knows
-- it: host.facts(thread).next_burst); it runs until it blocks or ends. Ties go to the
-- thread that became ready first. --set by=remaining measures all the compute left.

local by = host.setting("by", "burst")
if by ~= "burst" and by ~= "remaining" then
  error("--set by must be burst or remaining, not '" .. by .. "'")
end
description = "shortest job first (by " .. (by == "burst" and "next CPU burst" or "compute left")
  .. "), non-preemptive, one global queue (in Lua)"

local ready = {}   -- { thread = id, length = ticks }, in the order they became ready

function enqueue(thread, reason)
  local facts = host.facts(thread)
  local length = facts.next_burst
  if by == "remaining" then length = facts.remaining end
  ready[#ready + 1] = { thread = thread, length = length }
end

function dequeue(thread)
  for i, entry in ipairs(ready) do
    if entry.thread == thread then table.remove(ready, i) return end
  end
end

function pick(core)
  local best = nil   -- position in `ready` of the shortest so far
  for i, entry in ipairs(ready) do
    -- strictly shorter: on a tie the earlier one (smaller i) stays best
    if host.may_run_on(entry.thread, core) and (best == nil or entry.length < ready[best].length) then
      best = i
    end
  end
  if best then return table.remove(ready, best).thread end
  return nil
end

-- Shortest first. ticklab's table.sort is stable: equal lengths keep their order.
function ready_queues()
  local order = {}
  for i, entry in ipairs(ready) do order[i] = entry end
  table.sort(order, function(a, b) return a.length < b.length end)
  local threads = {}
  for i, entry in ipairs(order) do threads[i] = entry.thread end
  return threads
end
