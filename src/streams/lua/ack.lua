--[[
  Acknowledges one stream entry and, only when this call is the one that acknowledged it, applies
  the entry's effects: entries published downstream, counters, dead letters. A repeated call (a
  client re-sending after a reconnect, a second consumer that claimed the same entry) changes
  nothing, so the effects of an entry land exactly once.

  Input:
    KEYS[1]  the stream the entry was read from
    KEYS[2…] streams and hashes the effects name by position
    ARGV[1]  consumer group
    ARGV[2]  entry id
    ARGV[3…] effects, one after another:
      'X', key index, n, field1, value1, …, fieldn, valuen   XADD KEYS[key index] * fields
      'H', key index, field, increment                      HINCRBY
      'D', key index, field                                 HDEL
  Output:
    1  acknowledged, effects applied
    0  the entry was not pending any more: nothing done
]]
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
local i = 3
while i <= #ARGV do
  local op = ARGV[i]
  local key = KEYS[tonumber(ARGV[i + 1])]
  if op == 'X' then
    local n = tonumber(ARGV[i + 2])
    local fields = {}
    for j = 1, n * 2 do fields[j] = ARGV[i + 2 + j] end
    redis.call('XADD', key, '*', unpack(fields))
    i = i + 3 + n * 2
  elseif op == 'H' then
    redis.call('HINCRBY', key, ARGV[i + 2], ARGV[i + 3])
    i = i + 4
  else
    redis.call('HDEL', key, ARGV[i + 2])
    i = i + 3
  end
end
return 1
