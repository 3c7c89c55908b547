// The official OpenAI Node SDK, unchanged, reading answers from PonchoAI's response cache: a non-streamed
// answer replayed as a stream (plain iteration and the stream helper), tool calls included. One JSON line out.
import OpenAI from 'openai';

const client = new OpenAI({ baseURL: process.env.PONCHO_BASE_URL, apiKey: 'any-key', maxRetries: 0 });
const out = {};
const messages = [{ role: 'user', content: 'sdk cache' }];

const { data: first, response: firstResponse } = await client.chat.completions
  .create({ model: 'mock', temperature: 0, messages }).withResponse();
out.content = first.choices[0].message.content;
out.firstCache = firstResponse.headers.get('x-poncho-cache');

const { data: stream, response: streamResponse } = await client.chat.completions
  .create({ model: 'mock', temperature: 0, messages, stream: true, stream_options: { include_usage: true } })
  .withResponse();
out.streamCache = streamResponse.headers.get('x-poncho-cache');
let streamed = '';
let finish = null;
for await (const chunk of stream) {
  streamed += chunk.choices[0]?.delta?.content ?? '';
  finish = chunk.choices[0]?.finish_reason ?? finish;
  if (chunk.usage) out.streamUsage = chunk.usage.total_tokens;
}
out.streamed = streamed;
out.streamFinish = finish;

const runner = client.chat.completions.stream({ model: 'mock', temperature: 0, messages });
const final = await runner.finalChatCompletion();
out.helperContent = final.choices[0].message.content;
out.helperFinish = final.choices[0].finish_reason;

const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } }];
const toolMessages = [{ role: 'user', content: 'weather in Lima' }];
const plainTool = await client.chat.completions.create({
  model: 'mock', temperature: 0, messages: toolMessages, tools, tool_choice: 'required',
});
const toolRunner = client.chat.completions.stream({
  model: 'mock', temperature: 0, messages: toolMessages, tools, tool_choice: 'required',
});
const toolFinal = await toolRunner.finalChatCompletion();
const plainCall = plainTool.choices[0].message.tool_calls[0];
const replayedCall = toolFinal.choices[0].message.tool_calls[0];
out.toolSame = plainCall.id === replayedCall.id && plainCall.function.name === replayedCall.function.name
  && plainCall.function.arguments === replayedCall.function.arguments;
out.toolName = replayedCall.function.name;
out.toolFinish = toolFinal.choices[0].finish_reason;

console.log(JSON.stringify(out));
