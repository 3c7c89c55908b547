-- wrk script: POST a streamed chat completion (SSE, 12 chunks + usage) to the mock model.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"mock","stream":true,"stream_options":{"include_usage":true},"metadata":{"mock_chunks":12},"messages":[{"role":"user","content":"Stream a short answer"}]}'

done = function(summary, latency, requests)
  io.write(string.format("non-200 responses: %d\n", summary.errors.status))
  io.write(string.format("p50 %.2fms  p90 %.2fms  p99 %.2fms  max %.2fms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
