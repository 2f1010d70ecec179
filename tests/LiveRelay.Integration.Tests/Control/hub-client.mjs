// A real @microsoft/signalr client for the hub tests, driven by the test over stdin/stdout, one JSON
// object per line.
//   node hub-client.mjs <hub url> <bearer token or ""> <node_modules dir>
//   in:  {"id": 1, "invoke": "Take", "args": ["rundown", "item"]}
//   out: {"id": 1, "result": …} or {"id": 1, "error": "…"}
//        {"event": "tally", "args": [...]} for every event the hub sends
//        {"state": "connected"} | {"state": "failed", "error": "…"} | {"state": "closed", "error": "…"}
import { createRequire } from 'node:module';
import readline from 'node:readline';

const [hubUrl, token, nodeModules] = process.argv.slice(2);
const require = createRequire(nodeModules.replace(/\/?$/, '/'));
const signalR = require('@microsoft/signalr');

const events = ['feedOnline', 'feedOffline', 'feedHealth', 'rundownChanged', 'rundownRemoved', 'tally', 'pullStarted', 'pullEnded', 'alert'];
const write = (message) => process.stdout.write(JSON.stringify(message) + '\n');

const builder = new signalR.HubConnectionBuilder().configureLogging(signalR.LogLevel.Warning);
const connection = (token
  ? builder.withUrl(hubUrl, { accessTokenFactory: () => token })
  : builder.withUrl(hubUrl)).build();
for (const name of events) {
  // A handler that returns a value would answer the hub (client results): this one returns nothing.
  connection.on(name, (...args) => { write({ event: name, args }); });
}
connection.onclose((error) => {
  write({ state: 'closed', error: error ? String(error.message ?? error) : null });
  process.exit(0);
});

try {
  await connection.start();
  write({ state: 'connected' });
} catch (error) {
  // The negotiate failure wraps the HTTP error: its status is in the message ("Status code '401'").
  const message = String(error.message ?? error);
  const status = error.statusCode ?? Number(/Status code '(\d+)'/.exec(message)?.[1] ?? NaN);
  write({ state: 'failed', error: message, statusCode: Number.isNaN(status) ? null : status });
  process.exit(0);
}

const input = readline.createInterface({ input: process.stdin });
input.on('line', async (line) => {
  const request = JSON.parse(line);
  try {
    write({ id: request.id, result: await connection.invoke(request.invoke, ...request.args) });
  } catch (error) {
    write({ id: request.id, error: String(error.message ?? error) });
  }
});
input.on('close', () => connection.stop());
