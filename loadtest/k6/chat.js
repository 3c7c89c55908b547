// Non-streamed chat completions: POST /v1/chat/completions on the mock model.
//   k6 run loadtest/k6/chat.js -e BASE_URL=http://127.0.0.1:8080 [-e RATE=500 -e PEAK_RATE=3000]
import http from "k6/http";
import { check } from "k6";
import { BASE_URL, chatBody, headers, scenarios } from "./lib/poncho.js";

/** @type {import("k6/options").Options} */
export const options = {
  scenarios: scenarios(500, 3000, 400),
  thresholds: {
    http_req_failed: ["rate<0.001"],
    http_req_duration: ["p(95)<25", "p(99)<50"],
    "http_req_duration{scenario:constant}": ["p(99)<25"],
    checks: ["rate>0.999"],
  },
};

export default function () {
  const res = http.post(`${BASE_URL}/v1/chat/completions`, chatBody("Say hello to the load test"),
    { headers: headers(), tags: { name: "chat" } });
  check(res, {
    "status 200": (r) => r.status === 200,
    "a chat.completion": (r) => r.status === 200 && r.json("object") === "chat.completion",
    "usage reported": (r) => r.status === 200 && Number(r.json("usage.total_tokens")) > 0,
  });
}
