// SSE streaming: POST /v1/chat/completions with "stream": true; 12 content chunks 20 ms apart after a
// 50 ms first-token delay (the mock model's knobs), so the gateway's own share of each is visible.
// k6's http module returns the body when the stream ends, so per request it records:
//   poncho_ttft                time to the first byte of the stream (the first event is written as the
//                              first token is: role and content arrive together)
//   poncho_time_between_chunks mean gap between content events (receiving time / (events - 1))
//   poncho_stream_events       content events per stream (must be 12: nothing lost or merged)
// For exact per-event timings run the load generator: java loadtest/LoadGen.java stream
import http from "k6/http";
import { check } from "k6";
import { Counter, Trend } from "k6/metrics";
import { BASE_URL, chatBody, headers, scenarios, sseData } from "./lib/poncho.js";

const CHUNKS = 12;
const TTFT_MS = 50;
const CHUNK_DELAY_MS = 20;

const ttft = new Trend("poncho_ttft", true);
const betweenChunks = new Trend("poncho_time_between_chunks", true);
const events = new Trend("poncho_stream_events");
const brokenStreams = new Counter("poncho_broken_streams");

/** @type {import("k6/options").Options} */
export const options = {
  scenarios: scenarios(200, 800, 600),
  thresholds: {
    http_req_failed: ["rate<0.001"],
    poncho_broken_streams: ["count==0"],
    // The mock's own 50 ms first-token delay plus at most 25 ms (p95) / 50 ms (p99) of gateway time.
    poncho_ttft: ["p(95)<75", "p(99)<100"],
    poncho_time_between_chunks: ["p(95)<30", "p(99)<40"],
    http_req_duration: ["p(99)<600"],
  },
};

export default function () {
  const res = http.post(`${BASE_URL}/v1/chat/completions`,
    chatBody("Stream twelve words back to me please", {
      stream: true, chunks: CHUNKS, ttftMs: TTFT_MS, chunkDelayMs: CHUNK_DELAY_MS,
    }),
    { headers: headers(), tags: { name: "chat_stream" }, timeout: "60s" });
  const body = typeof res.body === "string" ? res.body : "";
  const data = sseData(body);
  const content = data.filter((d) => d !== "[DONE]" && d.includes('"content":"') && !d.includes('"content":""'));
  const ok = check(res, {
    "status 200": (r) => r.status === 200,
    "text/event-stream": (r) => String(r.headers["Content-Type"]).startsWith("text/event-stream"),
    "ends with [DONE]": () => data[data.length - 1] === "[DONE]",
    "no error event": () => !data.some((d) => d.startsWith('{"error"')),
    "usage chunk": () => data.some((d) => d.includes('"usage":{')),
  });
  if (!ok) {
    brokenStreams.add(1);
    return;
  }
  ttft.add(res.timings.waiting);
  events.add(content.length);
  if (content.length > 1) {
    betweenChunks.add(res.timings.receiving / (content.length - 1));
  }
}
