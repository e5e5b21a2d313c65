--[[
  Moves the current run from one status to the next, only if it is still that run in that
  status: several processes may try, one succeeds.

  Input:
    KEYS[1]  the run hash
    ARGV[1]  run id
    ARGV[2]  expected status
    ARGV[3]  new status
    ARGV[4]  the field recording when (extracted_at, finished_at)
    ARGV[5]  the time, ms since the epoch
  Output:
    1  moved
    0  another run, or another status: nothing done
]]
if redis.call('HGET', KEYS[1], 'id') == ARGV[1] and redis.call('HGET', KEYS[1], 'status') == ARGV[2] then
  redis.call('HSET', KEYS[1], 'status', ARGV[3], ARGV[4], ARGV[5])
  return 1
end
return 0
