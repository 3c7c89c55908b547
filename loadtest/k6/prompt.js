// Prompt execution: POST /api/v1/prompts/{name}/execute renders a managed prompt (Handlebars, schema
// validation) and runs it. Uses the shipped fashion/sketch_description prompt on the mock model.
//   k6 run loadtest/k6/prompt.js -e BASE_URL=http://127.0.0.1:8080 [-e PROMPT=fashion/sketch_description]
import http from "k6/http";
import { check } from "k6";
import { BASE_URL, MODEL, headers, scenarios } from "./lib/poncho.js";

const PROMPT = __ENV.PROMPT || "fashion/sketch_description";

/** @type {import("k6/options").Options} */
export const options = {
  scenarios: scenarios(300, 2000, 400),
  thresholds: {
    http_req_failed: ["rate<0.001"],
    http_req_duration: ["p(95)<30", "p(99)<60"],
    checks: ["rate>0.999"],
  },
};

export default function () {
  const body = JSON.stringify({
    model: MODEL,
    input: { sketch_url: `https://example.com/sketches/${__VU}-${__ITER}.png`, notes: "linen, relaxed fit" },
  });
  const res = http.post(`${BASE_URL}/api/v1/prompts/${PROMPT}/execute`, body,
    { headers: headers(), tags: { name: "prompt_execute" } });
  check(res, {
    "status 200": (r) => r.status === 200,
    "a chat.completion": (r) => r.status === 200 && r.json("object") === "chat.completion",
  });
}
