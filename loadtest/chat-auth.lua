-- wrk script: chat.lua's request with a managed API key (PONCHO_KEY), through the auth step.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("PONCHO_KEY")
wrk.body = '{"model":"mock","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Say hello to the load test"}],"temperature":0.2,"max_tokens":64}'

done = function(summary, latency, requests)
  io.write(string.format("non-200 responses: %d\n", summary.errors.status))
  io.write(string.format("p50 %.2fms  p90 %.2fms  p99 %.2fms  max %.2fms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
