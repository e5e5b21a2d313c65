--[[
  Takes an extract work unit's lease, or renews it for its holder.

  Input:
    KEYS[1]  the unit's lease key
    ARGV[1]  owner (the extract copy's WORKER_ID)
    ARGV[2]  lease time, ms
  Output:
    1  the caller holds the lease
    0  another copy holds it
]]
local cur = redis.call('GET', KEYS[1])
if cur == false or cur == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
