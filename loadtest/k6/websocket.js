// WebSocket API (/api/v1/ws): each iteration opens one socket and runs GENERATIONS chat generations on
// it at once, interleaved, then closes it. Per generation it records the time to its first content
// chunk and to its done frame, and the gaps between its chunks.
//   k6 run loadtest/k6/websocket.js -e BASE_URL=http://127.0.0.1:8080 [-e GENERATIONS=8]
import { check } from "k6";
import { Counter, Rate, Trend } from "k6/metrics";
import { WebSocket } from "k6/websockets";
import { BASE_URL, MODEL, scenarios } from "./lib/poncho.js";

const GENERATIONS = Number(__ENV.GENERATIONS || 8);
const WS_URL = BASE_URL.replace(/^http/, "ws") + "/api/v1/ws";

const firstChunk = new Trend("poncho_ws_ttft", true);
const generationTime = new Trend("poncho_ws_generation_duration", true);
const betweenChunks = new Trend("poncho_ws_time_between_chunks", true);
const completed = new Rate("poncho_ws_generations_completed");
const errorFrames = new Counter("poncho_ws_error_frames");

/** @type {import("k6/options").Options} */
export const options = {
  scenarios: scenarios(20, 100, 300),
  thresholds: {
    poncho_ws_generations_completed: ["rate>0.999"],
    poncho_ws_error_frames: ["count==0"],
    poncho_ws_ttft: ["p(95)<75", "p(99)<100"],
    poncho_ws_time_between_chunks: ["p(95)<30", "p(99)<40"],
    poncho_ws_generation_duration: ["p(99)<800"],
    checks: ["rate>0.999"],
  },
};

export default function () {
  /** @type {Record<string, {start: number, last: number, chunks: number}>} */
  const running = {};
  let finished = 0;
  /** @type {Record<string, string>} */
  const params = __ENV.API_KEY ? { authorization: `Bearer ${__ENV.API_KEY}` } : {};
  const ws = new WebSocket(WS_URL, null, { headers: params });

  ws.onopen = () => {
    for (let i = 0; i < GENERATIONS; i++) {
      const id = `g${i}`;
      running[id] = { start: Date.now(), last: 0, chunks: 0 };
      ws.send(JSON.stringify({
        type: "chat",
        id,
        request: {
          model: MODEL,
          messages: [{ role: "user", content: `Generation ${i}: twelve words please, one by one` }],
          metadata: { mock_chunks: "12", mock_ttft_ms: "50", mock_chunk_delay_ms: "20" },
        },
      }));
    }
  };

  ws.onmessage = (event) => {
    if (!event || typeof event.data !== "string") {
      return;
    }
    /** @type {{type: string, id?: string, delta?: {content?: string}, finish_reason?: string}} */
    const frame = JSON.parse(event.data);
    const generation = frame.id ? running[frame.id] : undefined;
    if (!generation) {
      return;
    }
    const now = Date.now();
    if (frame.type === "chunk" && frame.delta && frame.delta.content) {
      if (generation.chunks === 0) {
        firstChunk.add(now - generation.start);
      } else {
        betweenChunks.add(now - generation.last);
      }
      generation.chunks++;
      generation.last = now;
    } else if (frame.type === "done" || frame.type === "error") {
      const ok = frame.type === "done" && frame.finish_reason === "stop";
      completed.add(ok);
      check(frame, { "generation done": () => ok });
      if (frame.type === "error") {
        errorFrames.add(1);
      }
      generationTime.add(now - generation.start);
      finished++;
      if (finished === GENERATIONS) {
        ws.close();
      }
    }
  };

  ws.onerror = () => {
    completed.add(false);
    errorFrames.add(1);
    ws.close();
  };
}
