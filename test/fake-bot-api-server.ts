// The fake Bot API (test/fake-bot-api.ts) as a process of its own, for checks that start the
// server outside Vitest (`.ci/image` runs the Docker image against it). Each argument is an
// update (JSON) queued for the bot's first `getUpdates`. Prints one JSON line
// `{"url": …, "token": …}` (use as TELEGRAM_API_ROOT and TELEGRAM_BOT_TOKEN), then every call
// it has answered, one per line: the method, and the chat id when there is one. Stops on
// SIGTERM or SIGINT.
//   node --import tsx test/fake-bot-api-server.ts '{"update_id": 1, "message": {…}}'
import { startFakeBotApi } from './fake-bot-api.js';

const api = await startFakeBotApi();
for (const update of process.argv.slice(2)) api.pushUpdate(JSON.parse(update) as object);
process.stdout.write(`${JSON.stringify({ url: api.url, token: api.token })}\n`);

// Calls are recorded once answered (a long poll only when it returns), in that order.
let printed = 0;
const timer = setInterval(() => {
  for (const call of api.calls.slice(printed)) {
    const chat = call.params.chat_id;
    const line =
      typeof chat === 'string' || typeof chat === 'number' ? [call.method, chat] : [call.method];
    process.stdout.write(`${line.join(' ')}\n`);
  }
  printed = api.calls.length;
}, 100);

async function stop(): Promise<void> {
  clearInterval(timer);
  await api.close();
  process.exit(0);
}
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
