import { EventEmitter } from 'node:events';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/base/clock.js';
import { VigilError } from '../../src/base/errors.js';
import { ClusterRegistry } from '../../src/cluster/cluster-registry.js';
import { ClusterWorker } from '../../src/cluster/cluster-worker.js';
import type { AnswerMessage } from '../../src/cluster/messages.js';
import { Registry } from '../../src/core/registry.js';
import type {
  CounterSnapshot,
  GaugeSnapshot,
  HistogramSnapshot,
  MetricSnapshot,
  RegistrySnapshot,
} from '../../src/core/snapshot.js';
import { toOpenMetrics } from '../../src/expo/openmetrics.js';
import { parsePrometheusText } from '../../src/expo/parse-prometheus-text.js';
import { toPrometheusText } from '../../src/expo/prometheus-text.js';
import { nativeHistogramOf } from '../../src/sketch/native-layout.js';
import { QuantileSketch } from '../../src/sketch/quantile-sketch.js';

/** MessagePort delivery and the workers' async snapshots take a few turns of the event loop, no timer. */
async function flush(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}

const open: Array<{ close(): void }> = [];
afterEach(() => {
  for (const c of open.splice(0)) c.close();
});

/** A worker in this thread: its registry, its ClusterWorker, and the primary's end of the channel. */
function worker(cluster: ClusterRegistry, registry = new Registry()) {
  const { port1, port2 } = new MessageChannel();
  open.push(port1, port2);
  cluster.add(port1);
  const side = new ClusterWorker({ registry, port: port2 });
  return { registry, side, port: port1, remote: port2 };
}

async function ready(cluster: ClusterRegistry, n: number): Promise<void> {
  await flush();
  expect(cluster.workers().filter((w) => w.state === 'ok')).toHaveLength(n);
}

function metric<T extends MetricSnapshot>(snapshot: RegistrySnapshot, name: string): T {
  const found = snapshot.metrics.find((m) => m.name === name);
  if (!found) throw new Error(`no metric ${name} in ${snapshot.metrics.map((m) => m.name).join(', ')}`);
  return found as T;
}

function values(snapshot: RegistrySnapshot, name: string): Record<string, number> {
  const m = metric<CounterSnapshot | GaugeSnapshot>(snapshot, name);
  return Object.fromEntries(m.points.map((p) => [p.block, p.value]));
}

function states(snapshot: RegistrySnapshot): Record<string, number> {
  return values(snapshot, 'vigil_cluster_workers');
}

describe('ClusterRegistry', () => {
  it('sums counters across workers, series by series', async () => {
    const cluster = new ClusterRegistry({ clock: new ManualClock() });
    open.push(cluster);
    const [a, b] = [worker(cluster), worker(cluster)];
    await ready(cluster, 2);
    const ca = a.registry.counter({ name: 'req_total', help: 'Requests.', labelNames: ['code'] });
    const cb = b.registry.counter({ name: 'req_total', help: 'Requests.', labelNames: ['code'] });
    ca.inc({ code: '200' }, 3);
    ca.inc({ code: '500' });
    cb.inc({ code: '200' }, 4);
    cb.inc({ code: '404' }, 2);
    const snapshot = await cluster.snapshot();
    expect(values(snapshot, 'req_total')).toEqual({ 'code="200"': 7, 'code="500"': 1, 'code="404"': 2 });
    expect(states(snapshot)).toEqual({ 'state="ok"': 2, 'state="late"': 0, 'state="gone"': 0 });
    expect(metric(snapshot, 'req_total').help).toBe('Requests.');
  });

  it('keeps up as series appear in the middle of the order, and lets removed ones go', async () => {
    const cluster = new ClusterRegistry({ clock: new ManualClock() });
    open.push(cluster);
    const a = worker(cluster);
    await ready(cluster, 1);
    const c = a.registry.counter({ name: 'c_total', labelNames: ['x', 'y'] });
    c.inc({ x: 'a', y: '1' });
    c.inc({ x: 'b', y: '1' }, 2);
    expect(values(await cluster.snapshot(), 'c_total')).toEqual({ 'x="a",y="1"': 1, 'x="b",y="1"': 2 });
    c.inc({ x: 'a', y: '2' }, 10); // walks before x="b" from now on
    c.inc({ x: 'b', y: '1' });
    expect(values(await cluster.snapshot(), 'c_total')).toEqual({
      'x="a",y="1"': 1,
      'x="b",y="1"': 3,
      'x="a",y="2"': 10,
    });
    c.remove('a');
    expect(values(await cluster.snapshot(), 'c_total')).toEqual({ 'x="b",y="1"': 3 });
    c.inc({ x: 'b', y: '1' });
    expect(values(await cluster.snapshot(), 'c_total')).toEqual({ 'x="b",y="1"': 4 });
  });

  it('merges histograms exactly: buckets add up, percentiles are those of one sketch fed everything', async () => {
    const cluster = new ClusterRegistry({ clock: new ManualClock() });
    open.push(cluster);
    const clock = new ManualClock();
    const [a, b] = [worker(cluster, new Registry({ clock })), worker(cluster, new Registry({ clock }))];
    await ready(cluster, 2);
    const options = { name: 'lat_seconds', labelNames: ['op'], window: 60, quantiles: [0.5, 0.99] };
    const [ha, hb] = [a.registry.histogram(options), b.registry.histogram(options)];
    const all = new QuantileSketch();
    for (let i = 1; i <= 500; i++) {
      const v = ((i * 7919) % 1000) / 1000 + 0.001;
      (i % 3 === 0 ? ha : hb).observe({ op: 'read' }, v);
      all.add(v);
    }
    const merged = metric<HistogramSnapshot>(await cluster.snapshot(), 'lat_seconds');
    const point = merged.points[0]!;
    expect(point.count).toBe(500);
    expect(point.quantiles).toEqual([all.quantile(0.5), all.quantile(0.99)]);
    expect(point.window!.quantiles).toEqual([all.quantile(0.5), all.quantile(0.99)]);
    expect(point.sum).toBeCloseTo(all.sum, 9);
    expect(point.min).toBe(all.min);
    expect(point.max).toBe(all.max);
    expect(point.std).toBeCloseTo(all.std, 12);
    const [sa, sb] = await Promise.all([a.registry.snapshot(), b.registry.snapshot()]);
    const bucketsOf = (s: RegistrySnapshot) => metric<HistogramSnapshot>(s, 'lat_seconds').points[0]!.buckets;
    expect(point.buckets).toEqual(bucketsOf(sa).map((n, i) => n + bucketsOf(sb)[i]!));
  });

  it('gives the merged sketch as the native histogram of the cluster, with the options the workers declared', async () => {
    const cluster = new ClusterRegistry({ clock: new ManualClock() });
    open.push(cluster);
    const [a, b] = [worker(cluster), worker(cluster)];
    await ready(cluster, 2);
    const options = { name: 'tokens', classic: false, native: { bucketLimit: 50 } };
    const [ha, hb] = [a.registry.histogram(options), b.registry.histogram(options)];
    const all = new QuantileSketch();
    for (let i = 1; i <= 300; i++) {
      (i % 2 === 0 ? ha : hb).observe(i);
      all.add(i);
    }
    const plain = metric<HistogramSnapshot>(await cluster.snapshot(), 'tokens');
    expect(plain.points[0]!.native).toBeUndefined();
    const merged = metric<HistogramSnapshot>(await cluster.snapshot({ native: true }), 'tokens');
    expect(merged).toMatchObject({ classic: false, nativeBucketLimit: 50 });
    const native = merged.points[0]!.native!;
    const expected = nativeHistogramOf(all, 50);
    expect(expected.schema).toBeLessThan(6); // 300 values over 50 buckets: the limit lowered it
    expect({
      schema: native.schema,
      zeroCount: native.zeroCount,
      spans: Array.from(native.spans.subarray(native.positiveSpansFrom, native.spansTo)),
      deltas: Array.from(native.deltas.subarray(native.positiveDeltasFrom, native.deltasTo)),
    }).toEqual({
      schema: expected.schema,
      zeroCount: expected.zeroCount,
      spans: expected.positive.spans,
      deltas: expected.positive.deltas,
    });
    const sketched = metric<HistogramSnapshot>(await cluster.snapshot({ sketches: true }), 'tokens');
    expect(sketched.points[0]!.sketch).toMatchObject({ count: all.count, positive: all.toData().positive });
  });

  it("dates a merged histogram from its workers' earliest series, through a worker's departure", async () => {
    const T = 1_700_000_000_000;
    const cluster = new ClusterRegistry({ clock: new ManualClock(T), goneTtlSeconds: 60 });
    open.push(cluster);
    const [a, b] = [
      worker(cluster, new Registry({ clock: new ManualClock(T + 5_000) })),
      worker(cluster, new Registry({ clock: new ManualClock(T + 2_000) })),
    ];
    await ready(cluster, 2);
    const opts = { name: 'op_seconds', labelNames: ['op'] };
    a.registry.histogram(opts).observe({ op: 'read' }, 0.1);
    b.registry.histogram(opts).observe({ op: 'read' }, 0.2);
    a.registry.histogram(opts).observe({ op: 'write' }, 0.3);
    const created = async () =>
      Object.fromEntries(
        metric<HistogramSnapshot>(await cluster.snapshot({ native: true }), 'op_seconds').points.map((p) => [
          p.block,
          p.createdMs,
        ]),
      );
    expect(await created()).toEqual({ 'op="read"': T + 2_000, 'op="write"': T + 5_000 });
    // b goes: what it observed stays in the merged series, and so does the time its series began.
    b.remote.close();
    await flush();
    const late = worker(cluster, new Registry({ clock: new ManualClock(T + 90_000) }));
    await ready(cluster, 2);
    late.registry.histogram(opts).observe({ op: 'read' }, 0.4);
    late.registry.histogram(opts).observe({ op: 'new' }, 0.5);
    expect(await created()).toEqual({
      'op="read"': T + 2_000,
      'op="write"': T + 5_000,
      'op="new"': T + 90_000,
    });
  });

  it('merges gauges by the rule named per gauge: sum by default, min, max, last, or one series per worker', async () => {
    const cluster = new ClusterRegistry({
      clock: new ManualClock(),
      gaugeAggregation: { low: 'min', high: 'max', version: 'last', heap: 'worker' },
    });
    open.push(cluster);
    const [a, b] = [worker(cluster), worker(cluster)];
    await ready(cluster, 2);
    const set = (r: Registry, name: string, value: number, labels?: string[]) =>
      r.gauge({ name, labelNames: labels ? ['k'] : [] }).set(labels ? { k: labels[0] } : undefined, value);
    for (const [r, base] of [
      [a.registry, 1],
      [b.registry, 10],
    ] as const) {
      set(r, 'queue', base);
      set(r, 'low', base);
      set(r, 'high', base);
      set(r, 'version', base);
      set(r, 'heap', base);
      set(r, 'heap2', base, ['v']);
    }
    const snapshot = await cluster.snapshot();
    expect(values(snapshot, 'queue')).toEqual({ '': 11 });
    expect(values(snapshot, 'low')).toEqual({ '': 1 });
    expect(values(snapshot, 'high')).toEqual({ '': 10 });
    expect(values(snapshot, 'version')).toEqual({ '': 10 });
    const ids = cluster.workers().map((w) => w.id);
    expect(values(snapshot, 'heap')).toEqual({ [`worker="${ids[0]}"`]: 1, [`worker="${ids[1]}"`]: 10 });
    expect(values(snapshot, 'heap2')).toEqual({ 'k="v"': 11 });
    const low = metric<GaugeSnapshot>(snapshot, 'low').points[0]!;
    expect([low.min, low.max, low.mean]).toEqual([1, 1, 1]);
  });

  it('reports a worker that does not answer by the deadline as late and merges its last answer', async () => {
    const clock = new ManualClock();
    const cluster = new ClusterRegistry({ clock, deadlineMs: 500 });
    open.push(cluster);
    const [a, b] = [worker(cluster), worker(cluster)];
    await ready(cluster, 2);
    a.registry.counter({ name: 'n_total' }).inc(2);
    b.registry.counter({ name: 'n_total' }).inc(5);
    b.registry.gauge({ name: 'g' }).set(4);
    expect(values(await cluster.snapshot(), 'n_total')).toEqual({ '': 7 });
    b.side.close();
    a.registry.counter({ name: 'n_total' }).inc(1);
    let done = false;
    const pending = cluster.snapshot().then((s) => {
      done = true;
      return s;
    });
    await flush();
    expect(done).toBe(false);
    clock.advance(500);
    const snapshot = await pending;
    expect(values(snapshot, 'n_total')).toEqual({ '': 8 });
    expect(values(snapshot, 'g')).toEqual({ '': 4 });
    expect(states(snapshot)).toEqual({ 'state="ok"': 1, 'state="late"': 1, 'state="gone"': 0 });
    expect(cluster.workers().map((w) => w.state)).toEqual(['ok', 'late']);
  });

  it('never lets a counter go down when a worker goes and its replacement starts from zero', async () => {
    const clock = new ManualClock();
    const cluster = new ClusterRegistry({ clock, goneTtlSeconds: 60 });
    open.push(cluster);
    const [a, b] = [worker(cluster), worker(cluster)];
    await ready(cluster, 2);
    const opts = { name: 'jobs_total', labelNames: ['kind'] };
    a.registry.counter(opts).inc({ kind: 'x' }, 10);
    b.registry.counter(opts).inc({ kind: 'x' }, 20);
    b.registry.counter(opts).inc({ kind: 'only_b' }, 1);
    b.registry.gauge({ name: 'busy' }).set(1);
    b.registry.histogram({ name: 'h_seconds' }).observe(0.3);
    expect(values(await cluster.snapshot(), 'jobs_total')).toEqual({ 'kind="x"': 30, 'kind="only_b"': 1 });

    b.remote.close(); // the worker is gone: its channel closed
    await flush();
    const replacement = worker(cluster);
    await ready(cluster, 2);
    replacement.registry.counter(opts).inc({ kind: 'x' }, 1);
    const after = await cluster.snapshot();
    expect(values(after, 'jobs_total')).toEqual({ 'kind="x"': 31, 'kind="only_b"': 1 });
    expect(after.metrics.find((m) => m.name === 'busy')).toBeUndefined();
    expect(metric<HistogramSnapshot>(after, 'h_seconds').points[0]!.count).toBe(1);
    expect(states(after)).toEqual({ 'state="ok"': 2, 'state="late"': 0, 'state="gone"': 1 });

    clock.advance(60_000);
    const later = await cluster.snapshot();
    expect(states(later)).toEqual({ 'state="ok"': 2, 'state="late"': 0, 'state="gone"': 0 });
    expect(values(later, 'jobs_total')).toEqual({ 'kind="x"': 31, 'kind="only_b"': 1 });
  });

  it('keeps what a worker counted before resetCounters() or a new ClusterWorker on the same channel', async () => {
    const cluster = new ClusterRegistry({ clock: new ManualClock() });
    open.push(cluster);
    const a = worker(cluster);
    await ready(cluster, 1);
    const c = a.registry.counter({ name: 'c_total' });
    const h = a.registry.histogram({ name: 'h_seconds' });
    c.inc(5);
    h.observe(1);
    await cluster.snapshot();
    a.registry.resetCounters();
    a.registry.reset();
    c.inc(2);
    let s = await cluster.snapshot();
    expect(values(s, 'c_total')).toEqual({ '': 7 });
    expect(metric<HistogramSnapshot>(s, 'h_seconds').points[0]!.count).toBe(1);

    a.side.close();
    const fresh = new Registry();
    new ClusterWorker({ registry: fresh, port: a.remote }); // a restart behind the same port
    fresh.counter({ name: 'c_total' }).inc(1);
    await flush();
    s = await cluster.snapshot();
    expect(values(s, 'c_total')).toEqual({ '': 8 });
  });

  it('sends values alone once the primary holds the series, and merges them as with every label', async () => {
    const cluster = new ClusterRegistry({ clock: new ManualClock(), gaugeAggregation: { g: 'max' } });
    open.push(cluster);
    const [a, b] = [worker(cluster), worker(cluster)];
    await ready(cluster, 2);
    const answers: AnswerMessage[] = [];
    a.port.on('message', (m: AnswerMessage) => {
      if (m.vigil === 'snapshot') answers.push(m);
    });
    const opts = { name: 'c_total', labelNames: ['k'] };
    const [ca, cb] = [a.registry.counter(opts), b.registry.counter(opts)];
    // Two variants of one name (MetricsCollector tags), listed one after the other.
    const v1 = a.registry.variant('counter', { name: 'v_total', labelNames: ['x'] });
    const v2 = a.registry.variant('counter', { name: 'v_total', labelNames: ['y'] });
    const g = a.registry.gauge({ name: 'g', labelNames: ['k'] });
    // A gauge whose callback adds a series at one scrape: its values alone would not do then.
    let grow = false;
    a.registry.gauge({
      name: 'grown',
      labelNames: ['n'],
      collect: (gauge) => {
        gauge.set({ n: '1' }, 1);
        if (grow) gauge.set({ n: '2' }, 2);
      },
    });
    ca.inc({ k: 'p' }, 1);
    ca.inc({ k: 'q' }, 2);
    cb.inc({ k: 'q' }, 3);
    v1.inc({ x: '1' });
    v2.inc({ y: '1' }, 2);
    g.set({ k: 'p' }, 5);
    a.registry.histogram({ name: 'h_seconds' }).observe(1);
    await cluster.snapshot();
    ca.inc({ k: 'p' }, 10);
    cb.inc({ k: 'q' }, 0.5);
    v2.inc({ y: '1' }, 3);
    g.set({ k: 'p' }, 7);
    g.set({ k: 'p' }, 6);
    grow = true;
    const s = await cluster.snapshot();
    const last = answers.at(-1)!;
    const sent = (name: string) => last.metrics.find((m) => m.name === name)!;
    for (const name of ['c_total', 'v_total', 'g', 'h_seconds']) expect(sent(name).blocks).toEqual([]);
    expect(sent('v_total').keep).toBe(2);
    expect(sent('grown').blocks).toEqual(['n="2"']);
    expect(values(s, 'c_total')).toEqual({ 'k="p"': 11, 'k="q"': 5.5 });
    expect(values(s, 'v_total')).toEqual({ 'x="1"': 1, 'y="1"': 5 });
    expect(values(s, 'grown')).toEqual({ 'n="1"': 1, 'n="2"': 2 });
    const gp = metric<GaugeSnapshot>(s, 'g').points[0]!;
    expect([gp.value, gp.min, gp.max, gp.mean]).toEqual([6, 5, 7, 6]);
  });

  it('forgets label sets every worker removed, and keeps merging right after renumbering', async () => {
    const cluster = new ClusterRegistry({ clock: new ManualClock() });
    open.push(cluster);
    const [a, b] = [worker(cluster), worker(cluster)];
    await ready(cluster, 2);
    const opts = { name: 'c_total', labelNames: ['i'] };
    const c = a.registry.counter(opts);
    for (let i = 0; i < 2000; i++) c.inc({ i });
    b.registry.counter(opts).inc({ i: 1500 }, 5);
    expect(Object.keys(values(await cluster.snapshot(), 'c_total'))).toHaveLength(2000);
    b.remote.close(); // b's 5 are retired on the slot of i="1500"
    await flush();
    for (let i = 0; i < 2000; i++) if (i !== 1500) c.remove(String(i));
    expect(values(await cluster.snapshot(), 'c_total')).toEqual({ 'i="1500"': 6 });
    c.inc({ i: 5000 });
    c.inc({ i: 1500 });
    expect(values(await cluster.snapshot(), 'c_total')).toEqual({ 'i="1500"': 7, 'i="5000"': 1 });
  });

  it('leaves out a worker whose histogram has other buckets, and counts the conflict', async () => {
    const cluster = new ClusterRegistry({ clock: new ManualClock() });
    open.push(cluster);
    const [a, b] = [worker(cluster), worker(cluster)];
    await ready(cluster, 2);
    a.registry.histogram({ name: 'h_seconds', buckets: [1, 2] }).observe(1.5);
    b.registry.histogram({ name: 'h_seconds', buckets: [1, 5] }).observe(1.5);
    b.registry.gauge({ name: 'c_total' }).set(1);
    a.registry.counter({ name: 'c_total' }).inc(2);
    const snapshot = await cluster.snapshot();
    expect(metric<HistogramSnapshot>(snapshot, 'h_seconds').points[0]!.count).toBe(1);
    expect(values(snapshot, 'vigil_cluster_conflicts_total')).toEqual({
      'metric="h_seconds"': 1,
      'metric="c_total"': 1,
    });
  });

  it('gives a snapshot every serialiser takes, and that parses back', async () => {
    const cluster = new ClusterRegistry({ clock: new ManualClock(1_700_000_000_000) });
    open.push(cluster);
    const [a, b] = [worker(cluster), worker(cluster)];
    await ready(cluster, 2);
    for (const r of [a.registry, b.registry]) {
      r.counter({ name: 'http_requests_total', help: 'Requests.', labelNames: ['path'] }).inc({
        path: '/a"b\n',
      });
      r.histogram({ name: 'http_latency_seconds', unit: 'seconds' }).observe(0.02);
      r.scope('swift-neural-42').counter({ name: 'frames_total' }).inc();
    }
    const snapshot = await cluster.snapshot();
    const families = parsePrometheusText(toPrometheusText(snapshot));
    const requests = families.find((f) => f.name === 'http_requests_total')!;
    expect(requests.samples[0]).toMatchObject({ labels: { path: '/a"b\n' }, value: 2 });
    expect(toOpenMetrics(snapshot).endsWith('# EOF\n')).toBe(true);
    expect(snapshot.scopes).toHaveLength(1);
    expect(values(snapshot, 'frames_total')).toEqual({ 'session="swift-neural-42"': 2 });
  });

  it('carries infinite and fractional values exactly over a JSON channel, as cluster IPC does by default', async () => {
    const cluster = new ClusterRegistry({ clock: new ManualClock() });
    open.push(cluster);
    const [primaryEnd, workerEnd] = jsonPair();
    cluster.add(primaryEnd as unknown as MessagePort);
    const registry = new Registry();
    new ClusterWorker({ registry, port: workerEnd as unknown as MessagePort });
    await ready(cluster, 1);
    registry.gauge({ name: 'g', labelNames: ['k'] }).set({ k: 'up' }, Number.POSITIVE_INFINITY);
    registry.gauge({ name: 'g', labelNames: ['k'] }).set({ k: 'down' }, Number.NEGATIVE_INFINITY);
    registry.counter({ name: 'seconds_total' }).inc(1 / 3);
    registry.histogram({ name: 'h' }).observe(2);
    const snapshot = await cluster.snapshot();
    expect(values(snapshot, 'g')).toEqual({
      'k="up"': Number.POSITIVE_INFINITY,
      'k="down"': Number.NEGATIVE_INFINITY,
    });
    // Every digit of a fraction arrives: the numbers travel as their float64 bytes.
    expect(values(snapshot, 'seconds_total')).toEqual({ '': 1 / 3 });
    expect(metric<HistogramSnapshot>(snapshot, 'h').points[0]!.quantiles[0]).toBeCloseTo(2, 1);
  });

  it('packs whole counts as variable-length integers up to 2^53, and anything else as float64 bytes', async () => {
    const cluster = new ClusterRegistry({ clock: new ManualClock() });
    open.push(cluster);
    const [primaryEnd, workerEnd] = jsonPair();
    cluster.add(primaryEnd as unknown as MessagePort);
    const registry = new Registry();
    new ClusterWorker({ registry, port: workerEnd as unknown as MessagePort });
    const answers: AnswerMessage[] = [];
    primaryEnd.on('message', (m: AnswerMessage) => {
      if (m.vigil === 'snapshot') answers.push(m);
    });
    await ready(cluster, 1);
    const whole = registry.counter({ name: 'whole_total', labelNames: ['k'] });
    const counts = [0, 1, 127, 128, 16_383, 16_384, 2 ** 32, 2 ** 53 - 1];
    for (const [i, n] of counts.entries()) whole.inc({ k: String(i) }, n);
    registry.counter({ name: 'frac_total' }).inc(0.5);
    const sent = (name: string) => answers.at(-1)!.metrics.find((m) => m.name === name);
    // First answer (with labels), then one of values alone: both ways the counts arrive exactly.
    for (let scrape = 0; scrape < 2; scrape++) {
      const snapshot = await cluster.snapshot();
      expect(Object.values(values(snapshot, 'whole_total'))).toEqual(counts);
      expect(values(snapshot, 'frac_total')).toEqual({ '': 0.5 });
      expect(sent('whole_total')).toMatchObject({ values: { varint: expect.any(String) } });
      expect(typeof (sent('frac_total') as { values: unknown }).values).toBe('string');
    }
    // A primary of a version before it does not ask for them, and is sent float64 bytes.
    const [oldPrimary, oldWorkerEnd] = jsonPair();
    new ClusterWorker({ registry, port: oldWorkerEnd as unknown as MessagePort });
    const old: AnswerMessage[] = [];
    oldPrimary.on('message', (m: AnswerMessage) => {
      if (m.vigil === 'snapshot') old.push(m);
    });
    oldPrimary.postMessage({ vigil: 'scrape', id: 1, have: '' });
    await flush();
    expect(typeof old[0]!.metrics.find((m) => m.name === 'whole_total')!.values).toBe('string');
  });

  it('answers at once when there is no worker, and lists none', async () => {
    const cluster = new ClusterRegistry();
    const snapshot = await cluster.snapshot();
    expect(states(snapshot)).toEqual({ 'state="ok"': 0, 'state="late"': 0, 'state="gone"': 0 });
    expect(cluster.workers()).toEqual([]);
  });

  it('names the option, the value and what was expected', () => {
    const message = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        expect(error).toBeInstanceOf(VigilError);
        return (error as VigilError).message;
      }
      return undefined;
    };
    expect(message(() => new ClusterRegistry({ deadlineMs: 0 }))).toBe(
      'deadlineMs: got 0, expected a number of milliseconds > 0',
    );
    expect(message(() => new ClusterRegistry({ gaugeAggregation: { g: 'avg' as never } }))).toBe(
      'gaugeAggregation.g: got "avg", expected "sum", "min", "max", "last", "worker"',
    );
    expect(message(() => new ClusterRegistry({ goneTtlSeconds: -1 }))).toMatch(/^goneTtlSeconds: got -1/);
    expect(message(() => new ClusterRegistry({ cluster: {} as never }))).toMatch(
      /^cluster: got an object, expected the node:cluster module, in the primary process/,
    );
    expect(message(() => new ClusterRegistry().add({} as never))).toMatch(
      /^target: got an object, expected a cluster Worker/,
    );
    expect(message(() => new ClusterWorker({ registry: {} as never }))).toBe(
      'registry: got an object, expected a Registry',
    );
  });
});

/** Two ends that carry messages as cluster IPC does by default: through JSON.stringify and JSON.parse. */
function jsonPair(): [
  EventEmitter & { postMessage(m: unknown): void },
  EventEmitter & { postMessage(m: unknown): void },
] {
  const [a, b] = [new EventEmitter(), new EventEmitter()] as Array<
    EventEmitter & { postMessage(m: unknown): void }
  >;
  a!.postMessage = (m) => setImmediate(() => b!.emit('message', JSON.parse(JSON.stringify(m))));
  b!.postMessage = (m) => setImmediate(() => a!.emit('message', JSON.parse(JSON.stringify(m))));
  return [a!, b!];
}
