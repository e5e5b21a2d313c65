--[[
  Gives up a lease, only for its holder.

  Input:
    KEYS[1]  the lease key
    ARGV[1]  owner
  Output:
    1  released
    0  not held by the caller
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
