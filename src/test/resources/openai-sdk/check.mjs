// Drives PonchoAI with the official OpenAI Node SDK, unchanged; prints one JSON line of observations.
import OpenAI from 'openai';

const client = new OpenAI({ baseURL: process.env.PONCHO_BASE_URL, apiKey: 'any-key', maxRetries: 0 });
const out = {};

const completion = await client.chat.completions.create({
  model: 'mock',
  messages: [{ role: 'user', content: 'sdk hello' }],
});
out.content = completion.choices[0].message.content;
out.finishReason = completion.choices[0].finish_reason;
out.totalTokens = completion.usage.total_tokens;

const stream = await client.chat.completions.create({
  model: 'mock',
  stream: true,
  stream_options: { include_usage: true },
  messages: [{ role: 'user', content: 'sdk stream' }],
});
let streamed = '';
for await (const chunk of stream) {
  streamed += chunk.choices[0]?.delta?.content ?? '';
  if (chunk.usage) out.streamUsage = chunk.usage.completion_tokens;
}
out.streamed = streamed;

const runner = client.chat.completions.stream({
  model: 'mock',
  messages: [{ role: 'user', content: 'sdk helper' }],
});
const final = await runner.finalChatCompletion();
out.helperContent = final.choices[0].message.content;

const toolRunner = client.chat.completions.stream({
  model: 'mock',
  messages: [{ role: 'user', content: 'weather in Quito' }],
  tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } }],
  tool_choice: 'required',
});
const toolFinal = await toolRunner.finalChatCompletion();
const call = toolFinal.choices[0].message.tool_calls[0];
out.toolName = call.function.name;
out.toolArguments = JSON.parse(call.function.arguments);

try {
  await client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] });
} catch (e) {
  out.notFound = { isNotFound: e instanceof OpenAI.NotFoundError, status: e.status, code: e.code, param: e.param };
}

try {
  await client.chat.completions.create({ model: 'mock', temperature: 5, messages: [{ role: 'user', content: 'x' }] });
} catch (e) {
  out.badRequest = { isBadRequest: e instanceof OpenAI.BadRequestError, status: e.status, param: e.param };
}

try {
  const failing = await client.chat.completions.create({
    model: 'mock',
    stream: true,
    metadata: { mock_fail_after_chunks: '2' },
    messages: [{ role: 'user', content: 'x' }],
  });
  for await (const chunk of failing) { /* consume until the error event */ }
  out.midStream = 'no error raised';
} catch (e) {
  out.midStream = { isApiError: e instanceof OpenAI.APIError, message: e.message };
}

const models = [];
for await (const model of client.models.list()) models.push(model.id);
out.models = models;
out.model = (await client.models.retrieve('mock')).id;

console.log(JSON.stringify(out));
