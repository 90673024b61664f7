// Exercises a Portcullis gateway with the official OpenAI Node SDK, unchanged.
// Usage: node sdk-check.mjs BASE_URL   (BASE_URL ends in /v1)
// Prints one "ok <check>" line per passing check; exits non-zero on the first failure.
import OpenAI from "openai";

const baseURL = process.argv[2];
const client = new OpenAI({ baseURL, apiKey: "node-sdk-client-key", maxRetries: 0, timeout: 20_000 });

function check(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

const chat = await client.chat.completions.create({
  model: "sim-small",
  messages: [{ role: "user", content: "Hello from the Node SDK" }],
});
check(chat.choices[0].message.content.length > 0, "chat: empty content");
check(chat.usage.total_tokens > 0, "chat: no usage");
console.log("ok chat");

const stream = await client.chat.completions.create({
  model: "sim-small",
  stream: true,
  stream_options: { include_usage: true },
  messages: [{ role: "user", content: "Stream to the Node SDK" }],
});
let text = "";
let usage = null;
for await (const chunk of stream) {
  if (chunk.choices.length > 0) {
    text += chunk.choices[0].delta.content ?? "";
  }
  if (chunk.usage) {
    usage = chunk.usage;
  }
}
check(text.length > 0, "stream: no text");
check(usage && usage.completion_tokens > 0, "stream: no usage in last chunk");
console.log("ok stream");

const embedding = await client.embeddings.create({ model: "sim-embed", input: ["alpha", "beta"] });
check(embedding.data.length === 2, "embeddings: wrong count");
check(embedding.data[0].embedding.length === 8, "embeddings: wrong dimension " + embedding.data[0].embedding.length);
console.log("ok embeddings");

try {
  await client.chat.completions.create({ model: "sim-error-400", messages: [{ role: "user", content: "x" }] });
  throw new Error("error: no exception");
} catch (e) {
  check(e instanceof OpenAI.BadRequestError, "error: not a BadRequestError but " + e?.constructor?.name);
  check(e.status === 400, "error: status " + e.status);
  console.log("ok error");
}
