-- Preemptive priority with aging: the twin of `--scheduler priority` (--set aging=N).
-- The lowest priority number runs; a newcomer with a strictly better number takes the core
-- of the worst running thread. Aging: each `aging` ticks in the queue lowers a waiting
-- thread's number by one (down to 0), so a low-priority thread cannot starve.

local aging = host.setting("aging", 0)   -- ticks per step; 0: no aging
description = "priority (lower number first), preemptive, "
  .. (aging > 0 and ("aging one step per " .. aging .. " ticks waiting") or "no aging") .. " (in Lua)"

starvation_free = aging > 0   -- without aging, better newcomers can keep a thread waiting

local ready = {}    -- { thread, priority, since }, in the order they became ready
local chosen = {}   -- per thread: its (aged) number when picked; it keeps it while it runs
local given = {}    -- per core: the thread picked for it, until it stops
local view = 0      -- the tick of the last hook: ready_queues shows the queue as of then

local function key(e)   -- a waiting thread's number, after aging
  if aging == 0 then return e.priority end
  return math.max(math.min(e.priority, 0), e.priority - (view - e.since) // aging)
end

local function best_first()   -- stable sort: equal numbers keep their arrival order
  local order = {}
  for i, e in ipairs(ready) do order[i] = e end
  table.sort(order, function(a, b) return key(a) < key(b) end)
  return order
end

local function take(e)
  for i, r in ipairs(ready) do if r == e then table.remove(ready, i) return end end
end

function enqueue(thread) view = host.now(); ready[#ready + 1] = { thread = thread, priority = host.priority(thread), since = view } end
function dequeue(thread) view = host.now(); for _, e in ipairs(ready) do if e.thread == thread then take(e) end end end
function stopped(thread, core) view = host.now(); if given[core] == thread then given[core] = nil end end
function on_timer() view = host.now() end

function pick(core)
  local any = false   -- nothing for this core: change nothing (stepping asks at quiet ticks)
  for _, e in ipairs(ready) do any = any or host.may_run_on(e.thread, core) end
  if not any then return nil end
  view = host.now()
  for _, e in ipairs(best_first()) do
    if host.may_run_on(e.thread, core) then
      take(e); chosen[e.thread] = key(e); given[core] = e.thread
      return e.thread
    end
  end
end

-- Decide for every core at once, from the queue as it stands: each waiting thread, best
-- first, takes an idle core, or else the core of the worst running thread it beats.
local plan, plan_tick = {}, -1
function should_preempt(core)
  view = host.now()
  if plan_tick ~= view then
    plan, plan_tick = {}, view
    local idle, open = {}, {}
    for c = 0, host.cores() - 1 do
      local t = host.running_on(c)
      if t then open[c] = chosen[t] elseif not given[c] then idle[c] = true end
    end
    for _, e in ipairs(best_first()) do
      local placed, victim = false, nil
      for c = 0, host.cores() - 1 do
        if not placed and idle[c] and host.may_run_on(e.thread, c) then idle[c], placed = nil, true end
      end
      for c = 0, host.cores() - 1 do
        if not placed and open[c] and host.may_run_on(e.thread, c) and key(e) < open[c]
          and (victim == nil or open[c] > open[victim]) then victim = c end
      end
      if victim then open[victim], plan[victim], placed = nil, true, true end
      if not placed and #host.pinned(e.thread) == 0 then break end
    end
  end
  return plan[core] == true
end

-- The next tick at which a waiting thread's number drops (the machine calls on_timer then).
function next_wakeup()
  if aging == 0 then return nil end
  local next = nil
  for _, e in ipairs(ready) do
    if key(e) > math.min(e.priority, 0) then
      local at = e.since + ((view - e.since) // aging + 1) * aging
      if next == nil or at < next then next = at end
    end
  end
  return next
end

function ready_queues()   -- one queue per number in use, best first (nil: none)
  if #ready == 0 then return nil end
  local queues = {}
  for _, e in ipairs(best_first()) do
    local label = "priority " .. key(e)
    if #queues == 0 or queues[#queues].label ~= label then queues[#queues + 1] = { label = label } end
    table.insert(queues[#queues], e.thread)
  end
  return queues
end
