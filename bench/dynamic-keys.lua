-- wrk -s: each request asks the dynamic route for one of KEYS cached queryIds
-- (fill-0 .. fill-KEYS-1) of TABLE, picked at random, so that a run touches
-- the whole cache rather than one entry.
local keys = tonumber(os.getenv("KEYS") or "1")
local table_arn = os.getenv("TABLE")
local prefix = "/v1/credentials?table=" .. table_arn:gsub(":", "%%3A"):gsub("/", "%%2F") .. "&queryId=fill-"

request = function()
  return wrk.format("GET", prefix .. math.random(0, keys - 1))
end
