// `npm start`: vigil serving on http://127.0.0.1:8000 with its SQLite store under ./data, scraping a
// small workload instrumented with @vigil/metrics (an LLM orchestrator calling three providers and a
// 40 Hz streaming session). Ctrl-C flushes and stops.
import { createServer } from 'node:http';
import { exposition, Registry } from '@vigil/metrics';
import { loadConfig, serve } from '@vigil/server';

const registry = new Registry();
const latency = registry.histogram({
  name: 'llm_request_duration_seconds',
  help: 'Latency of calls to LLM providers.',
  labelNames: ['provider', 'status'],
});
const tokens = registry.counter({
  name: 'llm_tokens_total',
  help: 'Tokens used.',
  labelNames: ['provider', 'type'],
});
const providers = { openai: [0.4, 0.02], anthropic: [0.6, 0.03], gemini: [0.5, 0.15] };

setInterval(() => {
  for (const [provider, [median, failure]] of Object.entries(providers)) {
    const seconds = median * Math.exp((Math.random() - 0.5) * 1.5);
    const status = Math.random() < failure ? 'error' : 'success';
    latency.observe({ provider, status }, seconds);
    if (status === 'success') {
      tokens.inc({ provider, type: 'input' }, 100 + Math.floor(Math.random() * 400));
      tokens.inc({ provider, type: 'output' }, 50 + Math.floor(Math.random() * 800));
    }
  }
}, 200).unref();

const session = registry.scope('swift-neural-42');
const sent = session.counter({ name: 'packets_sent', help: 'Packets sent by a session.' }).labels();
const dropped = session.counter({ name: 'dropped_packets', help: 'Packets dropped by a session.' }).labels();
setInterval(() => (Math.random() < 0.003 ? dropped.inc() : sent.inc()), 25).unref();

const app = createServer(async (req, res) => {
  const { contentType, body } = exposition(await registry.snapshot(), req.headers.accept);
  res.writeHead(200, { 'content-type': contentType }).end(body);
});
await new Promise((resolve) => app.listen(0, '127.0.0.1', resolve));
const target = `http://127.0.0.1:${app.address().port}/metrics`;

const config = loadConfig({ scrape: [target] }, { VIGIL_SCRAPE_INTERVAL: '5s', ...process.env });
const server = await serve(config);
console.log(
  `vigil serving on ${server.url} (data in ${config.data}), scraping the demo workload at ${target}`,
);
console.log(`  try: curl '${server.url}/api/v1/read_raw?match[]=llm_tokens_total'`);
console.log(`       curl '${server.url}/api/v1/series?match[]=up'`);
const stop = async () => {
  await server.close();
  app.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
