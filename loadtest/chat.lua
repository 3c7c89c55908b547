-- wrk script: POST a small non-streamed chat completion to the mock model.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"mock","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Say hello to the load test"}],"temperature":0.2,"max_tokens":64}'

local errors = 0
response = function(status, headers, body)
  if status ~= 200 then
    errors = errors + 1
  end
end

done = function(summary, latency, requests)
  io.write(string.format("non-200 responses: %d\n", summary.errors.status))
  io.write(string.format("p50 %.2fms  p90 %.2fms  p99 %.2fms  max %.2fms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
