// Drives PonchoAI's /v1/messages with the official Anthropic SDK, unchanged, against the model named by
// PONCHO_MODEL; prints one JSON line of observations.
import Anthropic from '@anthropic-ai/sdk';

const model = process.env.PONCHO_MODEL;
const client = new Anthropic({ baseURL: process.env.PONCHO_BASE_URL, apiKey: 'any-key', maxRetries: 0 });
const out = {};
const tools = [{
  name: 'get_weather',
  description: 'Current weather of a city',
  input_schema: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] },
}];

const message = await client.messages.create({
  model, max_tokens: 256, system: 'Be brief.',
  messages: [{ role: 'user', content: 'sdk hello' }],
});
out.text = message.content.filter((b) => b.type === 'text').map((b) => b.text).join('');
out.id = message.id;
out.type = message.type;
out.stopReason = message.stop_reason;
out.usage = message.usage;

const stream = client.messages.stream({ model, max_tokens: 256, messages: [{ role: 'user', content: 'sdk stream' }] });
let streamedText = '';
stream.on('text', (delta) => { streamedText += delta; });
const final = await stream.finalMessage();
out.streamedText = streamedText;
out.finalText = final.content.filter((b) => b.type === 'text').map((b) => b.text).join('');
out.finalStopReason = final.stop_reason;
out.finalUsage = final.usage;

// Tool use round trip: the model calls the tool, the client answers with a tool_result, the model replies.
const toolTurn = await client.messages.stream({
  model, max_tokens: 256, tools, tool_choice: { type: 'tool', name: 'get_weather' },
  messages: [{ role: 'user', content: 'weather in Quito' }],
}).finalMessage();
const toolUse = toolTurn.content.find((b) => b.type === 'tool_use');
out.toolStopReason = toolTurn.stop_reason;
out.toolName = toolUse?.name;
out.toolInput = toolUse?.input;
out.toolIdPresent = typeof toolUse?.id === 'string' && toolUse.id.length > 0;
const answer = await client.messages.create({
  model, max_tokens: 256, tools,
  messages: [
    { role: 'user', content: 'weather in Quito' },
    { role: 'assistant', content: toolTurn.content },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse.id, content: 'sunny, 21C' }] },
  ],
});
out.afterTool = answer.content.filter((b) => b.type === 'text').map((b) => b.text).join('');
out.afterToolStopReason = answer.stop_reason;

const withImage = await client.messages.create({
  model, max_tokens: 256,
  messages: [{ role: 'user', content: [
    { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgoAAAANSUhEUg==' } },
    { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } },
    { type: 'text', text: 'describe the image' },
  ] }],
});
out.imageReply = withImage.content.filter((b) => b.type === 'text').map((b) => b.text).join('');

const tokens = await client.messages.countTokens({ model, messages: [{ role: 'user', content: 'count these tokens' }] });
out.countTokens = tokens.input_tokens;

async function failure(call) {
  try {
    await call();
    return 'no error raised';
  } catch (e) {
    return {
      name: e.constructor.name, status: e.status ?? null, type: e.error?.error?.type ?? e.type ?? null,
      isApiError: e instanceof Anthropic.APIError,
    };
  }
}
out.notFound = await failure(() => client.messages.create({
  model: 'no-such-model', max_tokens: 16, messages: [{ role: 'user', content: 'x' }] }));
out.badRequest = await failure(() => client.messages.create({
  model, max_tokens: 16, temperature: 3, messages: [{ role: 'user', content: 'x' }] }));
for (const [name, status] of [['unauthorized', 401], ['rateLimited', 429], ['overloaded', 529]]) {
  out[name] = await failure(() => client.messages.create({
    model: 'mock', max_tokens: 16, metadata: { user_id: 'u-1', mock_error_status: status },
    messages: [{ role: 'user', content: 'x' }] }));
}
out.midStream = await failure(async () => {
  const failing = client.messages.stream({
    model: 'mock', max_tokens: 64, metadata: { mock_fail_after_chunks: 2 },
    messages: [{ role: 'user', content: 'one two three four five' }] });
  await failing.finalMessage();
});
out.instances = {
  notFound: out.notFound.name === 'NotFoundError',
  unauthorized: out.unauthorized.name === 'AuthenticationError',
  rateLimited: out.rateLimited.name === 'RateLimitError',
  overloaded: out.overloaded.name === 'OverloadedError',
  badRequest: out.badRequest.name === 'BadRequestError',
};

console.log(JSON.stringify(out));
