-- A small multi-level feedback queue (OSTEP ch. 8): the twin of `--scheduler mlfq` with
-- its levels, quantum and boost settings. Rules: a higher level (lower number) runs first
-- and preempts; a level takes turns round-robin; a new thread starts on top; a thread that
-- has used its allotment (here: one quantum) at a level drops one level; every `boost`
-- ticks all threads go back to the top.

local levels = host.setting("levels", 3)
local boost = host.setting("boost", 0)   -- 0: never
if levels < 1 or levels > 16 then error("--set levels must be between 1 and 16") end
local quanta = {}   -- level 0 gets --quantum, each level below twice the one above
for l = 0, levels - 1 do quanta[l] = host.quantum << l end
description = "mlfq (in Lua), " .. levels .. " levels, boost " .. (boost > 0 and boost or "off")

starvation_free = boost > 0   -- rule 5 exists to prevent starvation

local ready = {}   -- threads in the order they became ready
local level, used = {}, {}   -- per thread: its level and the ticks used there
local given, view = {}, 0    -- per core: the thread picked for it; the last hook's tick
local next_boost, last_boost = boost > 0 and boost or nil, nil

local function catch_up()   -- rule 5, the boost, applied at the first hook on or after it
  view = host.now()
  if next_boost and view >= next_boost then
    last_boost = view // boost * boost
    next_boost = last_boost + boost
    level, used = {}, {}
  end
end
local function lv(t) return level[t] or 0 end
local function best_first()
  local order = table.move(ready, 1, #ready, 1, {})
  table.sort(order, function(a, b) return lv(a) < lv(b) end)   -- stable: ready order in a level
  return order
end

function enqueue(thread) catch_up(); ready[#ready + 1] = thread end
function dequeue(thread) catch_up(); for i, t in ipairs(ready) do if t == thread then table.remove(ready, i) end end end
function on_timer() catch_up() end
function next_wakeup() return next_boost end

function pick(core)
  local any = false   -- nothing for this core: change nothing (stepping asks at quiet ticks)
  for _, t in ipairs(ready) do any = any or host.may_run_on(t, core) end
  if not any then return nil end
  catch_up()
  for _, t in ipairs(best_first()) do
    if host.may_run_on(t, core) then
      for i, u in ipairs(ready) do if u == t then table.remove(ready, i) break end end
      given[core] = t
      return t
    end
  end
end

function slice(thread)
  local q = quanta[lv(thread)]
  if lv(thread) == levels - 1 then return q end
  return math.min(q, q - (used[thread] or 0))
end

function stopped(thread, core, ran)
  catch_up()
  if given[core] == thread then given[core] = nil end
  if last_boost then ran = math.min(ran, view - last_boost) end
  if lv(thread) == levels - 1 then return end
  used[thread] = (used[thread] or 0) + ran
  if used[thread] >= quanta[lv(thread)] then level[thread], used[thread] = lv(thread) + 1, 0 end
end

local plan, plan_tick = {}, -1   -- as in priority.lua: decide for every core at once
function should_preempt(core)
  catch_up()
  if plan_tick ~= view then
    plan, plan_tick = {}, view
    local idle, open = {}, {}
    for c = 0, host.cores() - 1 do
      local t = host.running_on(c)
      if t then open[c] = lv(t) elseif not given[c] then idle[c] = true end
    end
    for _, t in ipairs(best_first()) do
      local placed, victim = false, nil
      for c = 0, host.cores() - 1 do
        if not placed and idle[c] and host.may_run_on(t, c) then idle[c], placed = nil, true end
      end
      for c = 0, host.cores() - 1 do
        if not placed and open[c] and host.may_run_on(t, c) and lv(t) < open[c]
          and (victim == nil or open[c] > open[victim]) then victim = c end
      end
      if victim then open[victim], plan[victim], placed = nil, true, true end
      if not placed and #host.pinned(t) == 0 then break end
    end
  end
  return plan[core] == true
end

function ready_queues()   -- every level, top first, empty ones too
  local queues = {}
  for l = 0, levels - 1 do queues[l + 1] = { label = "level " .. l } end
  for _, t in ipairs(ready) do table.insert(queues[lv(t) + 1], t) end
  return queues
end
