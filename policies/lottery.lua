-- Lottery scheduling (Waldspurger & Weihl; OSTEP ch. 9): the twin of `--scheduler lottery`.
-- When a core is free, the tickets of the ready threads that may use it are laid end to end
-- in thread id order, a winning ticket is drawn, and its holder runs for one quantum.
-- The draw uses the run's seeded generator (--seed): the same seed replays the same run.

-- Tickets per process in declaration order (--set tickets=75,25); the others hold their
-- priority's weight (priority 0: 1024 tickets).
local given = {}
for n in string.gmatch(host.setting("tickets", ""), "[^,]+") do given[#given + 1] = math.tointeger(tonumber(n)) end
description = "lottery, quantum " .. host.quantum .. ", "
  .. (#given > 0 and ("tickets " .. table.concat(given, "/") .. " by process") or "tickets by priority")
  .. ", seed " .. host.seed .. " (in Lua)"

local ready = {}     -- ready[thread] = true
local tickets = {}   -- tickets[thread], fixed when first seen

function enqueue(thread)
  if tickets[thread] == nil then
    local process = host.process(thread)
    tickets[thread] = given[process + 1] or host.weight(host.priority(thread))
  end
  ready[thread] = true
end

function dequeue(thread) ready[thread] = nil end

function pick(core)
  local candidates, total = {}, 0
  for thread in pairs(ready) do   -- ticklab's pairs visits keys in order: thread id order
    if host.may_run_on(thread, core) then
      candidates[#candidates + 1] = thread
      total = total + tickets[thread]
    end
  end
  if #candidates == 0 then return nil end
  local winner = candidates[1]
  if #candidates > 1 then   -- a lone thread runs without a draw
    local ticket = math.random(total)   -- 1..total
    for _, thread in ipairs(candidates) do
      ticket = ticket - tickets[thread]
      if ticket <= 0 then winner = thread break end
    end
  end
  ready[winner] = nil
  return winner
end

function slice(thread, core) return host.quantum end

function ready_queues()
  local threads = {}
  for thread in pairs(ready) do threads[#threads + 1] = thread end
  return threads
end
