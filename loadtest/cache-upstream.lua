-- wrk script: the same request with temperature 0.2: not cacheable by default, so every answer is a round
-- trip to the upstream (an OpenAI-compatible HTTP server: the gateway's own mock model).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"upstream","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Say hello to the load test"}],"temperature":0.2,"max_tokens":64}'

done = function(summary, latency, requests)
  io.write(string.format("non-200 responses: %d\n", summary.errors.status))
  io.write(string.format("p50 %.2fms  p90 %.2fms  p99 %.2fms  max %.2fms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
