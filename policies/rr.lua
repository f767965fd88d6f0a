-- Round-robin, written in Lua: the twin of `--scheduler rr`.
-- Run it:  ticklab run --jobs "P1:0:24,P2:0:3,P3:0:3" --scheduler policies/rr.lua --quantum 4
--
-- FCFS order, but each thread runs at most a quantum (--quantum, default 2) at a time;
-- a thread whose slice ends is enqueued again ("preempted") and goes to the back.

description = "round-robin, quantum " .. host.quantum .. ", one global queue (in Lua)"
starvation_free = true   -- checked by `ticklab check-policy`

local queue = {}

function enqueue(thread, reason)
  queue[#queue + 1] = thread
end

function dequeue(thread)
  for i, waiting in ipairs(queue) do
    if waiting == thread then
      table.remove(queue, i)
      return
    end
  end
end

function pick(core)
  for i, thread in ipairs(queue) do
    if host.may_run_on(thread, core) then
      table.remove(queue, i)
      return thread
    end
  end
  return nil
end

-- How many ticks the picked thread may run before the policy is asked again.
-- (If nobody else is waiting, pick() simply hands it the core again.)
function slice(thread, core)
  return host.quantum
end

function ready_queues()
  return queue
end
