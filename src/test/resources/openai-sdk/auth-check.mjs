// The official OpenAI Node SDK against PonchoAI with auth on; prints one JSON line of observations.
import OpenAI from 'openai';

const baseURL = process.env.PONCHO_BASE_URL;
const out = {};
const client = new OpenAI({ baseURL, apiKey: process.env.PONCHO_KEY, maxRetries: 0 });

const completion = await client.chat.completions.create({
  model: 'deepseek-chat',
  messages: [{ role: 'user', content: 'sdk auth' }],
});
out.content = completion.choices[0].message.content;

const stream = await client.chat.completions.create({
  model: 'deepseek-chat',
  stream: true,
  messages: [{ role: 'user', content: 'sdk auth stream' }],
});
let streamed = '';
for await (const chunk of stream) streamed += chunk.choices[0]?.delta?.content ?? '';
out.streamed = streamed;

const models = [];
for await (const model of client.models.list()) models.push(model.id);
out.models = models;

const observe = (e) => ({ name: e.constructor.name, status: e.status, code: e.code, type: e.type });
try {
  await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] });
  out.notAllowed = 'no error';
} catch (e) {
  out.notAllowed = { ...observe(e), isPermissionDenied: e instanceof OpenAI.PermissionDeniedError };
}

const wrong = new OpenAI({ baseURL, apiKey: 'sk-poncho-not-a-real-key', maxRetries: 0 });
try {
  await wrong.chat.completions.create({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'x' }] });
  out.wrongKey = 'no error';
} catch (e) {
  out.wrongKey = { ...observe(e), isAuthentication: e instanceof OpenAI.AuthenticationError };
}

const viewer = new OpenAI({ baseURL, apiKey: process.env.PONCHO_VIEWER_KEY, maxRetries: 0 });
try {
  await viewer.chat.completions.create({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'x' }] });
  out.viewer = 'no error';
} catch (e) {
  out.viewer = { ...observe(e), isPermissionDenied: e instanceof OpenAI.PermissionDeniedError };
}

console.log(JSON.stringify(out));
