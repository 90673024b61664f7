-- Settles one reservation: tokens and spend are replaced by the actual amounts (refund or debt),
-- leases are freed, then the record is deleted. Time from ARGV, never Redis TIME.
-- KEYS[1]: reservation record. ARGV: now, reservationId, actualTokens, actualSpend.
-- Returns 1 if settled, 0 if the reservation is unknown (settled, released or expired).
local rec = redis.call('GET', KEYS[1])
if not rec then return 0 end
redis.call('DEL', KEYS[1])
local now = tonumber(ARGV[1])
local rid = ARGV[2]
local tokens, spend = tonumber(ARGV[3]), tonumber(ARGV[4])

local function ms(us)
  local v = math.ceil(us / 1000)
  if v < 1 then v = 1 end
  return v
end

local first = true
for line in string.gmatch(rec, '[^\n]+') do
  if first then
    first = false
    if tonumber(line) <= now then return 0 end
  else
  local meter, unit, cost, limit, p1, p2, idx, key =
    string.match(line, '^(%a)\t(%a)\t(%d+)\t(%d+)\t(%-?%d+)\t(%-?%d+)\t(%d+)\t(.+)$')
  cost, limit, p1, p2 = tonumber(cost), tonumber(limit), tonumber(p1), tonumber(p2)
  if unit == 'c' then
    redis.call('ZREM', key, rid)
  elseif (unit == 't' or unit == 's') and cost > 0 then
    local actual = tokens
    if unit == 's' then actual = spend end
    local delta = actual - cost
    if delta ~= 0 then
      if meter == 'g' then
        local t = p1 / limit
        local tat = tonumber(redis.call('GET', key) or '0')
        if tat < now then tat = now end
        local newTat = math.ceil(tat + delta * t)
        if newTat < now then newTat = now end
        redis.call('SET', key, newTat, 'PX', ms(newTat - now))
      elseif meter == 'w' then
        local member = string.format('%.0f', cost) .. ':' .. rid .. ':' .. idx
        local score = redis.call('ZSCORE', key, member)
        if score then
          redis.call('ZREM', key, member)
          if actual > 0 then
            redis.call('ZADD', key, score, string.format('%.0f', actual) .. ':' .. rid .. ':' .. idx)
          end
          local sk = key .. ':s'
          local sum = redis.call('INCRBY', sk, delta)
          if sum < 0 then redis.call('SET', sk, 0) end
          redis.call('PEXPIRE', key, ms(p1))
          redis.call('PEXPIRE', sk, ms(p1))
        end
      elseif meter == 'k' then
        if redis.call('EXISTS', key) == 1 then
          local v = redis.call('INCRBY', key, delta)
          if v < 0 then redis.call('SET', key, 0, 'KEEPTTL') end
        end
      end
    end
  end
  end
end
return 1
