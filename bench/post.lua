-- wrk script for proxy-bench.sh: a non-streamed chat completion POST with a client API key.
-- BENCH_BODY names the JSON body file; BENCH_KEY the client key (default pk-bench-1).
local f = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
wrk.body = f:read("*a")
f:close()
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_KEY") or "pk-bench-1")
