--[[
  Publishes one extract batch and moves its unit's position in one atomic step, only while the
  caller holds the unit's lease and the unit is still where the caller read it from; extends
  the lease. A batch is published exactly once, across crashes, takeovers and a client
  re-sending the call after a reconnect.

  Input:
    KEYS[1]  the unit's lease key
    KEYS[2]  the extract stream
    KEYS[3]  the run's unit positions (hash: unit -> position JSON)
    KEYS[4]  the run's counts (hash)
    KEYS[5]  the run's progress (hash: stage -> rows handled)
    ARGV[1]  owner
    ARGV[2]  lease time, ms
    ARGV[3]  unit
    ARGV[4]  the unit's position before this batch ('' when it had none)
    ARGV[5]  the unit's position after it
    ARGV[6]  products in the batch: extract's progress
    ARGV[7]  n, the entry's field count (0: only move the position)
    ARGV[8…] n field/value pairs, then counter/increment pairs
  Output:
    1  published
    0  the lease is lost: the caller must stop working on the unit
    2  already published (the position had moved on): nothing done
]]
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
local current = redis.call('HGET', KEYS[3], ARGV[3])
if (current or '') ~= ARGV[4] then
  if current == ARGV[5] then return 2 end
  return 0
end
local n = tonumber(ARGV[7])
if n > 0 then
  local fields = {}
  for i = 1, n * 2 do fields[i] = ARGV[7 + i] end
  redis.call('XADD', KEYS[2], '*', unpack(fields))
end
redis.call('HSET', KEYS[3], ARGV[3], ARGV[5])
if tonumber(ARGV[6]) > 0 then redis.call('HINCRBY', KEYS[5], 'extract', ARGV[6]) end
local i = 8 + n * 2
while i < #ARGV do
  redis.call('HINCRBY', KEYS[4], ARGV[i], ARGV[i + 1])
  i = i + 2
end
return 1
