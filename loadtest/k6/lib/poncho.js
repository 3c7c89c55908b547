// Shared settings of the PonchoAI k6 scripts. Environment (k6 run -e NAME=value):
//   BASE_URL      gateway address (default http://127.0.0.1:8080); nginx's address for the production stack
//   API_KEY       sent as "Authorization: Bearer" when set
//   MODEL         model to call (default mock: the built-in mock model, no upstream needed)
//   RATE          arrivals per second of the constant-arrival-rate scenario
//   PEAK_RATE     top of the ramping-arrival-rate scenario
//   DURATION      length of the constant scenario (default 1m)
//   SCENARIO      run only this scenario (constant or ramping); both by default, one after the other

/** @type {string} */
export const BASE_URL = __ENV.BASE_URL || "http://127.0.0.1:8080";
export const MODEL = __ENV.MODEL || "mock";
export const DURATION = __ENV.DURATION || "1m";

/**
 * Request headers: JSON, an x-request-id per request (so a slow one can be found in the server logs and
 * traces), and the API key when one is given.
 * @param {string} [key]
 * @returns {Record<string, string>}
 */
export function headers(key = __ENV.API_KEY) {
  /** @type {Record<string, string>} */
  const result = {
    "content-type": "application/json",
    "x-request-id": `k6-${__VU}-${__ITER}-${Date.now()}`,
  };
  if (key) {
    result.authorization = `Bearer ${key}`;
  }
  return result;
}

/**
 * A chat request for the mock model: metadata shapes the answer (chunks, delays) like a real model's.
 * @param {string} text
 * @param {{stream?: boolean, chunks?: number, ttftMs?: number, chunkDelayMs?: number}} [shape]
 */
export function chatBody(text, shape = {}) {
  /** @type {Record<string, unknown>} */
  const body = {
    model: MODEL,
    messages: [
      { role: "system", content: "You are terse." },
      { role: "user", content: text },
    ],
    max_tokens: 256,
  };
  if (shape.stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  if (MODEL === "mock") {
    body.metadata = {
      mock_chunks: String(shape.chunks ?? 12),
      mock_ttft_ms: String(shape.ttftMs ?? 0),
      mock_chunk_delay_ms: String(shape.chunkDelayMs ?? 0),
    };
  }
  return JSON.stringify(body);
}

/**
 * The two load shapes every script offers: a steady open-model load, then a ramp to find the knee.
 * @param {number} rate arrivals per second of the constant scenario
 * @param {number} peak arrivals per second at the top of the ramp
 * @param {number} maxVUs VUs k6 may use to keep up with the arrival rate
 * @returns {Record<string, import("k6/options").Scenario>}
 */
export function scenarios(rate, peak, maxVUs) {
  /** @type {Record<string, import("k6/options").Scenario>} */
  const all = {
    constant: {
      executor: "constant-arrival-rate",
      rate: Number(__ENV.RATE || rate),
      timeUnit: "1s",
      duration: DURATION,
      preAllocatedVUs: Math.ceil(maxVUs / 4),
      maxVUs,
    },
    ramping: {
      executor: "ramping-arrival-rate",
      startRate: 1,
      timeUnit: "1s",
      preAllocatedVUs: Math.ceil(maxVUs / 4),
      maxVUs,
      startTime: __ENV.SCENARIO ? "0s" : DURATION,
      stages: [
        { target: Number(__ENV.PEAK_RATE || peak), duration: "1m" },
        { target: Number(__ENV.PEAK_RATE || peak), duration: "30s" },
        { target: 0, duration: "15s" },
      ],
    },
  };
  if (__ENV.SCENARIO) {
    return { [__ENV.SCENARIO]: all[__ENV.SCENARIO] };
  }
  return all;
}

/**
 * Parses an SSE body into its data payloads, "[DONE]" included.
 * @param {string} body
 * @returns {string[]}
 */
export function sseData(body) {
  return body.split("\n").filter((line) => line.startsWith("data: ")).map((line) => line.slice(6));
}
