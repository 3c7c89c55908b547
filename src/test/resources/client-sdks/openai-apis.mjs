// Drives PonchoAI's /v1/embeddings and /v1/responses with the official OpenAI SDK, unchanged, against the
// chat model PONCHO_MODEL and the embedding model PONCHO_EMBEDDING_MODEL; prints one JSON line.
import OpenAI from 'openai';

const model = process.env.PONCHO_MODEL;
const embeddingModel = process.env.PONCHO_EMBEDDING_MODEL;
const client = new OpenAI({ baseURL: process.env.PONCHO_BASE_URL, apiKey: 'any-key', maxRetries: 0 });
const out = {};

// The SDK asks for base64 unless told otherwise, and decodes it to floats.
const byDefault = await client.embeddings.create({ model: embeddingModel, input: ['alpha', 'beta'] });
out.embedObject = byDefault.object;
out.embedCount = byDefault.data.length;
out.embedIndexes = byDefault.data.map((d) => d.index);
out.embedDims = byDefault.data[0].embedding.length;
out.embedFirst = byDefault.data[0].embedding.slice(0, 3).map(Math.fround);
out.embedUsage = byDefault.usage;
out.embedModel = byDefault.model;
const asFloats = await client.embeddings.create({ model: embeddingModel, input: 'alpha', encoding_format: 'float' });
out.floatFirst = asFloats.data[0].embedding.slice(0, 3).map(Math.fround);
const shortened = await client.embeddings.create({ model: embeddingModel, input: 'alpha', dimensions: 8 });
out.shortDims = shortened.data[0].embedding.length;

const response = await client.responses.create({ model, instructions: 'Be brief.', input: 'sdk responses hello' });
out.responseText = response.output_text;
out.responseStatus = response.status;
out.responseObject = response.object;
out.responseUsage = response.usage;
out.responseIdPrefix = response.id.slice(0, 5);

const stream = await client.responses.create({ model, input: [{ role: 'user', content: 'sdk responses stream' }],
  stream: true });
const eventTypes = [];
const sequence = [];
let streamedText = '';
let completed;
for await (const event of stream) {
  eventTypes.push(event.type);
  sequence.push(event.sequence_number);
  if (event.type === 'response.output_text.delta') streamedText += event.delta;
  if (event.type === 'response.completed') completed = event.response;
}
out.streamTypes = [...new Set(eventTypes)];
out.streamFirst = eventTypes[0];
out.streamLast = eventTypes[eventTypes.length - 1];
out.sequenceOk = sequence.every((n, i) => n === i);
out.streamedText = streamedText;
out.completedText = completed?.output?.[0]?.content?.[0]?.text;

const helper = client.responses.stream({ model, input: 'sdk responses helper' });
const helperFinal = await helper.finalResponse();
out.helperText = helperFinal.output_text;

const tools = [{ type: 'function', name: 'get_weather', description: 'Weather of a city',
  parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] }, strict: false }];
const called = await client.responses.create({ model, tools, tool_choice: 'required', input: 'weather in Quito' });
const call = called.output.find((item) => item.type === 'function_call');
out.callName = call?.name;
out.callArguments = JSON.parse(call?.arguments ?? '{}');
out.callIdPresent = typeof call?.call_id === 'string';
const toolStream = await client.responses.create({ model, tools, tool_choice: 'required', input: 'weather in Lima',
  stream: true });
let streamedArguments = '';
let doneArguments;
for await (const event of toolStream) {
  if (event.type === 'response.function_call_arguments.delta') streamedArguments += event.delta;
  if (event.type === 'response.function_call_arguments.done') doneArguments = event.arguments;
}
out.streamedArguments = JSON.parse(streamedArguments || '{}');
out.doneArgumentsMatch = doneArguments === streamedArguments;
const answered = await client.responses.create({ model, tools, input: [
  { role: 'user', content: 'weather in Quito' },
  { type: 'function_call', call_id: call.call_id, name: call.name, arguments: call.arguments },
  { type: 'function_call_output', call_id: call.call_id, output: 'sunny, 21C' },
] });
out.afterTool = answered.output_text;

async function failure(run) {
  try {
    await run();
    return 'no error raised';
  } catch (e) {
    return { name: e.constructor.name, status: e.status ?? null, param: e.param ?? null, code: e.code ?? null };
  }
}
out.previousResponse = await failure(() => client.responses.create({ model, input: 'x', previous_response_id: 'resp_1' }));
out.chatModelForEmbeddings = await failure(() => client.embeddings.create({ model, input: 'x' }));
out.embeddingModelForResponses = await failure(() => client.responses.create({ model: embeddingModel, input: 'x' }));
out.emptyInput = await failure(() => client.embeddings.create({ model: embeddingModel, input: '' }));

console.log(JSON.stringify(out));
