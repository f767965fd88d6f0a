-- A planted bug for `ticklab check-policy`: priority without aging, claiming it cannot starve.
starvation_free = true
local ready = {}
function enqueue(thread) ready[#ready + 1] = thread end
function dequeue(thread)
  for i, t in ipairs(ready) do if t == thread then table.remove(ready, i) return end end
end
function pick(core)
  local best = nil
  for i, t in ipairs(ready) do
    if host.may_run_on(t, core) and (best == nil or host.priority(t) < host.priority(ready[best])) then best = i end
  end
  if best then return table.remove(ready, best) end
end
