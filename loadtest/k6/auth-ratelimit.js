// Authenticated and rate-limited traffic: API keys are checked and limits decided at the HTTP edge, in
// one Redis round trip when state.backend is redis, so these must stay cheap under load.
//   k6 run loadtest/k6/auth-ratelimit.js -e BASE_URL=... -e API_KEY=<a key with a rate limit>
//          [-e LIMITED_RATE=50  the arrivals/s of the over-limit scenario, above the key's limit]
// Scenarios:
//   authenticated  steady load with a valid key under its limit: every answer 200
//   over_limit     one key sent faster than its limit: answers are 200 or 429 (with OpenAI error JSON
//                  and Retry-After), never anything else, and some must be 429
//   unauthenticated a missing and a wrong key: always 401, answered fast
import http from "k6/http";
import { check, fail } from "k6";
import { Rate, Trend } from "k6/metrics";
import { BASE_URL, DURATION, chatBody, headers } from "./lib/poncho.js";

const unexpected = new Rate("poncho_unexpected_status");
const limited = new Rate("poncho_rate_limited");
const rejectTime = new Trend("poncho_rejection_duration", true);

/** @type {import("k6/options").Options} */
export const options = {
  scenarios: {
    authenticated: {
      executor: "constant-arrival-rate", exec: "authenticated", rate: Number(__ENV.RATE || 20), timeUnit: "1s",
      duration: DURATION, preAllocatedVUs: 20, maxVUs: 100,
    },
    over_limit: {
      executor: "ramping-arrival-rate", exec: "overLimit", startRate: 1, timeUnit: "1s", preAllocatedVUs: 20,
      maxVUs: 200, stages: [{ target: Number(__ENV.LIMITED_RATE || 200), duration: "30s" },
        { target: Number(__ENV.LIMITED_RATE || 200), duration: "30s" }],
    },
    unauthenticated: {
      executor: "constant-arrival-rate", exec: "unauthenticated", rate: 20, timeUnit: "1s", duration: DURATION,
      preAllocatedVUs: 10, maxVUs: 50,
    },
  },
  thresholds: {
    poncho_unexpected_status: ["rate==0"],
    "poncho_rate_limited{scenario:over_limit}": ["rate>0"],
    "poncho_rate_limited{scenario:authenticated}": ["rate==0"],
    poncho_rejection_duration: ["p(95)<20", "p(99)<50"],
    "http_req_duration{scenario:authenticated}": ["p(95)<25", "p(99)<50"],
  },
};

export function setup() {
  if (!__ENV.API_KEY) {
    fail("set API_KEY to a key with a rate limit (see README: API keys)");
  }
}

/** @param {string} key */
function call(key) {
  return http.post(`${BASE_URL}/v1/chat/completions`, chatBody("Rate limit me"), { headers: headers(key) });
}

/**
 * @param {import("k6/http").RefinedResponse<import("k6/http").ResponseType | undefined>} res
 */
function isOpenAiError(res) {
  const error = res.json("error");
  return typeof error === "object" && error !== null && typeof res.json("error.message") === "string";
}

export function authenticated() {
  const res = call(__ENV.API_KEY);
  limited.add(res.status === 429);
  unexpected.add(res.status !== 200 && res.status !== 429);
  check(res, { "status 200": (r) => r.status === 200 });
}

export function overLimit() {
  const res = call(__ENV.API_KEY);
  limited.add(res.status === 429);
  unexpected.add(res.status !== 200 && res.status !== 429);
  if (res.status === 429) {
    rejectTime.add(res.timings.duration);
    check(res, {
      "429 is OpenAI error JSON": (r) => isOpenAiError(r),
      "429 says when to retry": (r) => r.headers["Retry-After"] !== undefined,
    });
  }
}

export function unauthenticated() {
  const missing = call("");
  const wrong = call("sk-poncho-not-a-real-key");
  for (const res of [missing, wrong]) {
    unexpected.add(res.status !== 401);
    rejectTime.add(res.timings.duration);
    check(res, {
      "401": (r) => r.status === 401,
      "401 is OpenAI error JSON": (r) => isOpenAiError(r),
    });
  }
}
