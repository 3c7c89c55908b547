// The official OpenAI Node SDK with its default retry behaviour against a rate-limited PonchoAI: the
// second call is refused with 429 and Retry-After, the SDK waits as told and its retry succeeds.
import OpenAI from 'openai';

const client = new OpenAI({ baseURL: process.env.PONCHO_BASE_URL, apiKey: 'any-key', maxRetries: 3, timeout: 30000 });
const ask = (content) => client.chat.completions.create({ model: 'mock', messages: [{ role: 'user', content }] });

const first = await ask('first');
const started = Date.now();
const { data, response } = await ask('second').withResponse();
console.log(JSON.stringify({
  first: first.choices[0].message.content,
  second: data.choices[0].message.content,
  waitedMs: Date.now() - started,
  limit: response.headers.get('x-ratelimit-limit-requests'),
}));
