// `node examples/quickstart.js`: instruments a small simulated workload with @vigil/metrics and
// prints what a Prometheus scrape of it would read.
import { negotiate, Registry, toPrometheusText } from '@vigil/metrics';
import { MetricsCollector } from '@vigil/metrics/collector';

const registry = new Registry();

// An LLM provider call, timed, with its outcome in the `status` label.
const latency = registry.histogram({
  name: 'llm_request_duration_seconds',
  help: 'Latency of calls to LLM providers.',
  labelNames: ['provider', 'status'],
  window: 300,
});
const tokens = registry.counter({
  name: 'llm_tokens_total',
  help: 'Tokens used.',
  labelNames: ['provider', 'type'],
});

async function callProvider(provider) {
  await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
  if (Math.random() < 0.1) throw new Error(`${provider} returned 503`);
  tokens.inc({ provider, type: 'input' }, 120);
  tokens.inc({ provider, type: 'output' }, 300);
}

// A streaming session of the 40 Hz server, with its own metrics.
const session = registry.scope('swift-neural-42', { ttlSeconds: 60 });
const sent = session.counter({ name: 'packets_sent', help: 'Packets sent by a session.' }).labels();
const timingError = session.histogram({ name: 'timing_error_ms', help: 'Tick timing error.' }).labels();
let last = performance.now();
const ticker = setInterval(() => {
  const now = performance.now();
  timingError.observe(Math.abs(now - last - 25));
  last = now;
  sent.inc();
}, 25);

// The event server's MetricsCollector, over the same registry.
const collector = new MetricsCollector({ registry });

const calls = [];
for (let i = 0; i < 60; i++) {
  const provider = ['openai', 'anthropic', 'gemini'][i % 3];
  calls.push(latency.measure({ provider }, () => callProvider(provider)).catch(() => {}));
  collector.increment('events.processed', 1, { event_type: '/live/track/renamed' });
}
await Promise.all(calls);
await new Promise((resolve) => setTimeout(resolve, 500));
clearInterval(ticker);

const snapshot = await registry.snapshot();
console.log(`# ${negotiate(undefined).contentType}`);
console.log(toPrometheusText(snapshot));
const openai = latency.get({ provider: 'openai', status: 'success' });
console.log(
  `openai p50 ${(openai.p50 * 1000).toFixed(1)} ms, p99 ${(openai.p99 * 1000).toFixed(1)} ms over ${openai.count} calls`,
);
