--[[
  Takes a lease (an extract work unit, the supervision of a pipeline, a consumer name), or renews it for its holder.

  Input:
    KEYS[1]  the lease key
    ARGV[1]  owner (who holds it: an extract copy, a migrate, a consumer process)
    ARGV[2]  lease time, ms
  Output:
    1  the caller holds the lease
    0  another owner holds it
]]
local cur = redis.call('GET', KEYS[1])
if cur == false or cur == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
