/**
 * Heap bytes per series, one child process per library and measurement (`node --expose-gc`), so
 * that no library's modules, JIT code or earlier garbage land in another's figure. In the child:
 * label strings and input values are created first, then gc() twice and a baseline, then the series
 * are created, then gc() twice and the delta. The figure is heapUsed + arrayBuffers: typed arrays
 * over 64 bytes keep their contents outside the V8 heap, and vigil keeps its counts in typed arrays.
 */
import { execFileSync } from 'node:child_process';
import { median } from './harness.js';

const gc = globalThis.gc;

/**
 * gc() after a macrotask turn: a running frame's temporaries (the interpreter's registers) stay
 * reachable until the stack unwinds, and measured several MB here when gc() ran in the same turn.
 */
export async function heapNow() {
  await new Promise((resolve) => setTimeout(resolve, 10));
  gc();
  gc();
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, buffers: m.arrayBuffers };
}

/** Flat, sequential strings (a template literal gives cons strings), made before the baseline. */
export function flatStrings(values) {
  return JSON.parse(JSON.stringify(values));
}

/** True when this process is a measurement child; then it measures `subjects[name]` and exits. */
export function isChild() {
  return process.argv[2] === '--child';
}

/**
 * In the child: `prepare()` builds inputs, `subjects[name](inputs)` returns { fill(), estimate?() }
 * with its metric already created; prints one `MEMORY {json}` line.
 */
export async function runChild(subjects, prepare, series) {
  if (typeof gc !== 'function') throw new Error('run the child with node --expose-gc');
  const name = process.argv[3];
  const make = subjects[name];
  if (!make) throw new Error(`unknown subject ${name}`);
  const inputs = prepare();
  const subject = await make(inputs);
  const before = await heapNow();
  await subject.fill();
  const after = await heapNow();
  const heap = after.heap - before.heap;
  const buffers = after.buffers - before.buffers;
  const estimate = subject.estimate?.();
  const out = {
    subject: name,
    series,
    heap,
    buffers,
    perSeries: (heap + buffers) / series,
    estimate,
    keep: inputs !== subject,
  };
  console.log(`MEMORY ${JSON.stringify(out)}`);
  process.exit(0);
}

/** In the parent: `repeats` children per subject; the median of their bytes per series. */
export function measureChildren(file, names, repeats = 3) {
  const out = {};
  for (const name of names) {
    const runs = [];
    for (let r = 0; r < repeats; r++) {
      const stdout = execFileSync(process.execPath, ['--expose-gc', file, '--child', name], {
        encoding: 'utf8',
        maxBuffer: 1 << 24,
      });
      const line = stdout.split('\n').find((l) => l.startsWith('MEMORY '));
      if (!line) throw new Error(`${name}: no MEMORY line in\n${stdout}`);
      runs.push(JSON.parse(line.slice('MEMORY '.length)));
    }
    out[name] = {
      perSeries: median(runs.map((r) => r.perSeries)),
      heapPerSeries: median(runs.map((r) => r.heap / r.series)),
      buffersPerSeries: median(runs.map((r) => r.buffers / r.series)),
      estimate: runs[0].estimate,
      runs: runs.map((r) => r.perSeries),
    };
  }
  return out;
}
