-- First come, first served, written in Lua: the twin of `--scheduler fcfs`.
-- Run it:  ticklab run --jobs "P1:0:24,P2:0:3,P3:0:3" --scheduler policies/fcfs.lua
--
-- ticklab calls the functions below (the hooks) and checks every answer.
-- Threads and cores are numbers (ids); host.* asks the machine about them.

description = "first come, first served, one global queue (in Lua)"
starvation_free = true   -- checked by `ticklab check-policy`: each thread waits only for those ahead

local queue = {}   -- ready threads, oldest first

-- A thread became ready: it arrived, woke up, or was taken off a core.
-- reason is "arrived", "woke" or "preempted". It goes to the back.
function enqueue(thread, reason)
  queue[#queue + 1] = thread
end

-- A ready thread leaves without running (its process ended): forget it.
function dequeue(thread)
  for i, waiting in ipairs(queue) do
    if waiting == thread then
      table.remove(queue, i)
      return
    end
  end
end

-- A core is free: return the thread to run there, or nil to leave it idle.
-- The first thread in the queue that may use this core (threads can be pinned).
function pick(core)
  for i, thread in ipairs(queue) do
    if host.may_run_on(thread, core) then
      table.remove(queue, i)
      return thread
    end
  end
  return nil
end

-- No slice(): a thread runs until it blocks or ends (non-preemptive).

-- What the learner's table shows as the ready queue, front first.
function ready_queues()
  return queue
end
