--[[
  Extends a lease, only for its holder.

  Input:
    KEYS[1]  the lease key
    ARGV[1]  owner
    ARGV[2]  lease time, ms
  Output:
    1  renewed
    0  the lease is gone or held by another owner
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
