--[[
  Applies effects of processing a stream entry exactly once: entries published downstream,
  counters, dead letters. Guarded either by the entry's acknowledgement ('ack': XACK, and the
  effects only when this call acknowledged it) or by a part marker ('part': a large entry's
  output published in parts before its acknowledgement; SET NX of the part's marker key, and
  the effects only when this call set it). A repeated call (a client re-sending after a
  reconnect, a consumer redoing the entry, a second consumer that claimed it, even after the
  first acknowledged it) changes nothing.

  Input:
    KEYS[1]  'ack': the stream the entry was read from; 'part': the part's marker key
    KEYS[2…] streams and hashes the effects name by position
    ARGV[1]  'ack' or 'part'
    ARGV[2]  'ack': consumer group; 'part': how long the marker lives, ms
    ARGV[3]  'ack': entry id; 'part': unused
    ARGV[4…] effects, one after another:
      'X', key index, n, field1, value1, …, fieldn, valuen   XADD KEYS[key index] * fields
      'H', key index, field, increment                      HINCRBY
      'D', key index, field                                 HDEL
  Output:
    1  effects applied
    0  the entry was not pending any more, or the part was published before: nothing done
]]
if ARGV[1] == 'ack' then
  if redis.call('XACK', KEYS[1], ARGV[2], ARGV[3]) == 0 then return 0 end
elseif not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[2]) then
  return 0
end
local i = 4
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
