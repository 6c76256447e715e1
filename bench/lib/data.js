/**
 * Repeatable inputs: a seeded PRNG, the four distributions of the accuracy scenario, realistic
 * latencies, and the label sets the recording scenarios cycle through.
 */

/** xoshiro128** (Blackman, Vigna): doubles in [0, 1) with 53 random bits, the same for a seed. */
export function random(seed) {
  let a = 0x9e3779b9 ^ seed;
  let b = 0x243f6a88 ^ Math.imul(seed, 0x85ebca6b);
  let c = 0xb7e15162 ^ Math.imul(seed, 0xc2b2ae35);
  let d = 0x12345678 ^ (seed >>> 0);
  const next = () => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };
  for (let i = 0; i < 16; i++) next();
  return () => ((next() >>> 5) * 67108864 + (next() >>> 6)) / 9007199254740992;
}

function rotl(x, k) {
  return (x << k) | (x >>> (32 - k));
}

/** Standard normal deviates by Box-Muller. */
export function normal(rand) {
  let spare = Number.NaN;
  return () => {
    if (!Number.isNaN(spare)) {
      const s = spare;
      spare = Number.NaN;
      return s;
    }
    const u = 1 - rand();
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/** The accuracy scenario's distributions, as described in its output. */
export const DISTRIBUTIONS = {
  lognormal: {
    text: 'lognormal, mu 3, sigma 1',
    make(rand) {
      const z = normal(rand);
      return () => Math.exp(3 + z());
    },
  },
  pareto: {
    text: 'Pareto, alpha 1.5, x_m 1',
    make(rand) {
      return () => (1 - rand()) ** (-1 / 1.5);
    },
  },
  bimodal: {
    text: 'bimodal: 80% lognormal around 1 ms, 20% around 200 ms (sigma 0.2 each), in seconds',
    make(rand) {
      const z = normal(rand);
      return () => (rand() < 0.8 ? 0.001 : 0.2) * Math.exp(0.2 * z());
    },
  },
  uniform: {
    text: 'uniform on [0, 1)',
    make(rand) {
      return () => rand();
    },
  },
};

export function sample(distribution, n, seed) {
  const next = DISTRIBUTIONS[distribution].make(random(seed));
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = next();
  return out;
}

export const LATENCY_TEXT = 'lognormal latencies in seconds, median 50 ms, sigma 1 (p99 ≈ 0.5 s)';

/** Request latencies in seconds: lognormal with median 50 ms and sigma 1. */
export function latencies(n, seed = 42) {
  const z = normal(random(seed));
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = 0.05 * Math.exp(z());
  return out;
}

/** Ten (method, code) label sets, as the recording scenarios cycle through them. */
export const LABEL_SETS = [
  ['GET', '200'],
  ['GET', '404'],
  ['POST', '201'],
  ['GET', '500'],
  ['PUT', '200'],
  ['DELETE', '204'],
  ['POST', '400'],
  ['GET', '304'],
  ['PATCH', '200'],
  ['POST', '500'],
];
export const METHODS = LABEL_SETS.map(([m]) => m);
export const CODES = LABEL_SETS.map(([, c]) => c);
