-- Atomic decision over all charges of one request. Time comes from ARGV (the caller's clock), never
-- from Redis TIME, so every gateway instance and every test clock decide alike.
-- KEYS[i] (i = 1..n): counter keys. KEYS[n+1]: reservation record key.
-- ARGV: now, reservationId, reservationTtlMicros, n, then per charge: meter, unit, cost, limit, p1, p2
--   meter g (token bucket): p1 = period, p2 = burst     meter w (sliding log): p1 = window
--   meter c (concurrency):  p1 = lease                  meter k (calendar counter): p1 = ends at,
--   p2 = seed (the value a counter that does not exist yet starts from)
-- Returns {admitted, refusedIndex (0 = none), retryAfter, remaining1, reset1, remaining2, reset2, ...}.
local now = tonumber(ARGV[1])
local rid = ARGV[2]
local rttl = tonumber(ARGV[3])
local n = tonumber(ARGV[4])
local out = {1, 0, 0}
local admitted = true
local hold = false
local state = {}

local function ms(us)
  local v = math.ceil(us / 1000)
  if v < 1 then v = 1 end
  return v
end

for i = 1, n do
  local b = 4 + (i - 1) * 6
  local meter, unit = ARGV[b + 1], ARGV[b + 2]
  local cost, limit, p1, p2 = tonumber(ARGV[b + 3]), tonumber(ARGV[b + 4]), tonumber(ARGV[b + 5]), tonumber(ARGV[b + 6])
  local key = KEYS[i]
  local remaining, reset, wait = 0, 0, 0
  if meter == 'g' then
    local t = p1 / limit
    local tat = tonumber(redis.call('GET', key) or '0')
    if tat < now then tat = now end
    local newTat = math.ceil(tat + cost * t)
    local allowAt = newTat - p2 * t
    if allowAt > now then
      remaining = math.floor((now - (tat - p2 * t)) / t)
      reset = math.ceil(tat - now)
      wait = math.ceil(allowAt - now)
    else
      remaining = math.floor((now - allowAt) / t)
      reset = newTat - now
      state[i] = newTat
    end
    if remaining < 0 then remaining = 0 end
    if remaining > p2 then remaining = p2 end
  elseif meter == 'w' then
    local sk = key .. ':s'
    local sum = tonumber(redis.call('GET', sk) or '0')
    local old = redis.call('ZRANGEBYSCORE', key, '-inf', now - p1)
    if #old > 0 then
      for _, m in ipairs(old) do
        sum = sum - tonumber(string.match(m, '^(%d+):'))
      end
      redis.call('ZREMRANGEBYSCORE', key, '-inf', now - p1)
      if sum > 0 then redis.call('SET', sk, sum, 'PX', ms(p1)) else redis.call('DEL', sk) end
    end
    local first = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    if sum + cost <= limit then
      remaining = limit - sum - cost
      if #first > 0 then reset = tonumber(first[2]) + p1 - now elseif cost > 0 then reset = p1 end
    else
      remaining = limit - sum
      if remaining < 0 then remaining = 0 end
      if #first > 0 then reset = tonumber(first[2]) + p1 - now end
      wait = p1
      if cost <= limit then
        local need = sum + cost - limit
        local freed = 0
        local all = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
        for j = 1, #all, 2 do
          freed = freed + tonumber(string.match(all[j], '^(%d+):'))
          if freed >= need then
            wait = tonumber(all[j + 1]) + p1 - now
            break
          end
        end
      end
    end
  elseif meter == 'c' then
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
    local count = redis.call('ZCARD', key)
    if count + cost <= limit then
      remaining = limit - count - cost
    else
      remaining = limit - count
      if remaining < 0 then remaining = 0 end
      wait = 1000000
    end
  else -- 'k'
    local value = tonumber(redis.call('GET', key) or p2)
    reset = p1 - now
    if reset < 0 then reset = 0 end
    if value + cost <= limit then
      remaining = limit - value - cost
    else
      remaining = limit - value
      if remaining < 0 then remaining = 0 end
      wait = reset
      if wait < 1 then wait = 1 end
    end
  end
  if wait > 0 then
    if admitted or wait > out[3] then
      out[2] = i
      out[3] = wait
    end
    admitted = false
  end
  if cost > 0 and unit ~= 'r' then hold = true end
  out[3 + 2 * i - 1] = remaining
  out[3 + 2 * i] = reset
end

if not admitted then
  out[1] = 0
  return out
end

local record = {string.format('%.0f', now + rttl)}
for i = 1, n do
  local b = 4 + (i - 1) * 6
  local meter, unit = ARGV[b + 1], ARGV[b + 2]
  local cost, p1 = tonumber(ARGV[b + 3]), tonumber(ARGV[b + 5])
  local key = KEYS[i]
  if cost > 0 then
    if meter == 'g' then
      redis.call('SET', key, state[i], 'PX', ms(state[i] - now))
    elseif meter == 'w' then
      local sk = key .. ':s'
      redis.call('ZADD', key, now, string.format('%.0f', cost) .. ':' .. rid .. ':' .. (i - 1))
      redis.call('PEXPIRE', key, ms(p1))
      redis.call('INCRBY', sk, cost)
      redis.call('PEXPIRE', sk, ms(p1))
    elseif meter == 'c' then
      redis.call('ZADD', key, now + p1, rid)
      local ttl = redis.call('PTTL', key)
      if ttl < ms(p1) then redis.call('PEXPIRE', key, ms(p1)) end
    else
      if redis.call('EXISTS', key) == 0 then
        redis.call('SET', key, string.format('%.0f', tonumber(ARGV[b + 6]) + cost), 'PX', ms(p1 - now))
      else
        redis.call('INCRBY', key, cost)
        redis.call('PEXPIRE', key, ms(p1 - now))
      end
    end
  end
  if hold then
    record[#record + 1] = table.concat({meter, unit, ARGV[b + 3], ARGV[b + 4], ARGV[b + 5], ARGV[b + 6], i - 1, key}, '\t')
  end
end
if hold then
  redis.call('SET', KEYS[n + 1], table.concat(record, '\n'), 'PX', ms(rttl))
end
return out
