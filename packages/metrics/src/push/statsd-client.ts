import { invalidOption } from '../base/errors.js';
import { Registry } from '../core/registry.js';
import { type ExportResult, SUCCESS } from './export-result.js';
import { type PushOptions, resolveCount, resolveInterval, resolveName } from './push-options.js';
import { PushStats } from './push-stats.js';
import { RetryingTransport } from './retrying-transport.js';
import {
  formatTags,
  mergeTags,
  type StatsdTags,
  type StatsdType,
  sanitizeName,
  statsdLine,
} from './statsd-line.js';
import { UdpTransport } from './udp-transport.js';

export interface StatsdClientOptions extends Omit<PushOptions, 'env'> {
  /** Default `127.0.0.1` (an address, so no DNS lookup per datagram). */
  readonly host?: string;
  /** Default 8125. */
  readonly port?: number;
  /** Put before every name, as is (`myapp.`). */
  readonly prefix?: string;
  readonly suffix?: string;
  /** DogStatsD tags on every line; a call's tag with the same key wins. */
  readonly globalTags?: StatsdTags;
  /** Used when a call passes none. Default 1. */
  readonly sampleRate?: number;
  /**
   * Lines are joined with `\n` into datagrams of at most this many bytes. Default 1,432: a
   * 1,500-byte Ethernet MTU less IP and UDP headers (DogStatsD's advice), so nothing fragments.
   * A single longer line goes out alone.
   */
  readonly maxPayloadBytes?: number;
  /** A partly filled datagram waits at most this long. Default 1,000 ms (hot-shots' `bufferFlushInterval`). */
  readonly flushIntervalMs?: number;
  /** Datagrams being sent or retried at once; past it, new ones are dropped and counted. Default 100. */
  readonly maxInFlight?: number;
  /** Where `vigil_push_failures_total` and `vigil_push_dropped_total` are counted. Default: a private registry. */
  readonly registry?: Registry;
  /** Uniform in [0, 1), for sampling. Default `Math.random`. */
  readonly random?: () => number;
}

/**
 * A StatsD / DogStatsD client over UDP with hot-shots' method names and argument order
 * (`increment(name, value?, sampleRate?, tags?)`), without its run-time argument shuffling: the
 * types say which argument is which. Lines are batched into datagrams under `maxPayloadBytes`,
 * sent through the shared retry wrapper, and nothing throws into the application: a NaN, a send
 * error or a full queue is dropped and counted.
 */
export class StatsdClient {
  readonly #prefix: string;
  readonly #suffix: string;
  readonly #globalTags: readonly string[];
  readonly #sampleRate: number;
  readonly #maxPayload: number;
  readonly #maxInFlight: number;
  readonly #random: () => number;
  readonly #clock: NonNullable<PushOptions['clock']>;
  readonly #stats: PushStats;
  readonly #udp: UdpTransport;
  readonly #transport: RetryingTransport<Buffer>;
  readonly #stopFlush: () => void;
  readonly #inFlight = new Set<Promise<ExportResult>>();
  #buffer = '';
  #bufferBytes = 0;
  #bufferLines = 0;
  #closed: Promise<void> | undefined;

  constructor(options: StatsdClientOptions = {}) {
    if (typeof options !== 'object' || options === null) throw invalidOption('options', options, 'an object');
    const host = options.host ?? '127.0.0.1';
    if (typeof host !== 'string' || host === '')
      throw invalidOption('host', options.host, 'a host name or address');
    const port = options.port ?? 8125;
    if (!Number.isInteger(port) || port < 1 || port > 65_535) {
      throw invalidOption('port', options.port, 'an integer from 1 to 65535');
    }
    this.#prefix = text('prefix', options.prefix);
    this.#suffix = text('suffix', options.suffix);
    if (
      options.globalTags !== undefined &&
      (typeof options.globalTags !== 'object' || options.globalTags === null)
    ) {
      throw invalidOption(
        'globalTags',
        options.globalTags,
        "an object of tags or an array such as ['env:prod']",
      );
    }
    this.#globalTags = Object.freeze(options.globalTags === undefined ? [] : formatTags(options.globalTags));
    this.#sampleRate = options.sampleRate ?? 1;
    if (!validRate(this.#sampleRate))
      throw invalidOption('sampleRate', options.sampleRate, 'a number > 0 and <= 1');
    this.#maxPayload = resolveCount('maxPayloadBytes', options.maxPayloadBytes, 1_432);
    this.#maxInFlight = resolveCount('maxInFlight', options.maxInFlight, 100);
    this.#random = options.random ?? Math.random;
    if (typeof this.#random !== 'function') throw invalidOption('random', options.random, 'a function');
    const registry = options.registry ?? new Registry(options.clock ? { clock: options.clock } : {});
    if (typeof registry?.counter !== 'function') throw invalidOption('registry', registry, 'a Registry');
    this.#clock = options.clock ?? registry.clock;
    this.#stats = new PushStats(registry, resolveName(options.name, 'statsd'));
    this.#udp = new UdpTransport(host, port);
    this.#transport = new RetryingTransport(this.#udp, {
      clock: this.#clock,
      stats: this.#stats,
      // A datagram is sent or refused at once; only a DNS lookup can take time.
      timeoutMs: options.timeoutMs ?? 1_000,
      retry: { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 1_000, ...options.retry },
    });
    const flushMs = resolveInterval('flushIntervalMs', options.flushIntervalMs ?? 1_000) as number;
    this.#stopFlush = this.#clock.every(flushMs, () => this.#sendBuffer());
  }

  /** A counter step (`|c`). */
  increment(name: string, value = 1, sampleRate?: number, tags?: StatsdTags): void {
    this.#record(name, value, 'c', sampleRate, tags);
  }

  /** A negative counter step: `decrement('x', 2)` sends `x:-2|c`. */
  decrement(name: string, value = 1, sampleRate?: number, tags?: StatsdTags): void {
    this.#record(name, -value, 'c', sampleRate, tags);
  }

  gauge(name: string, value: number, sampleRate?: number, tags?: StatsdTags): void {
    this.#record(name, value, 'g', sampleRate, tags);
  }

  /** Milliseconds (`|ms`); a `Date` sends the time elapsed since it, on the client's clock. */
  timing(name: string, value: number | Date, sampleRate?: number, tags?: StatsdTags): void {
    const ms = value instanceof Date ? this.#clock.now() - value.getTime() : value;
    this.#record(name, ms, 'ms', sampleRate, tags);
  }

  histogram(name: string, value: number, sampleRate?: number, tags?: StatsdTags): void {
    this.#record(name, value, 'h', sampleRate, tags);
  }

  /** DogStatsD's global distribution (`|d`). */
  distribution(name: string, value: number, sampleRate?: number, tags?: StatsdTags): void {
    this.#record(name, value, 'd', sampleRate, tags);
  }

  /** Counts distinct values (`|s`). */
  set(name: string, value: string | number, sampleRate?: number, tags?: StatsdTags): void {
    this.#record(name, value, 's', sampleRate, tags);
  }

  /**
   * Sends the partly filled datagram now and waits for every datagram under way; resolves to the
   * first failure among them, or success. Never rejects.
   */
  async flush(): Promise<ExportResult> {
    this.#sendBuffer();
    const results = await Promise.all(this.#inFlight);
    return results.find((r) => r.code !== 'success') ?? SUCCESS;
  }

  /** Flushes (a retry waiting out its backoff tries once more at once) and closes the socket. */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    this.#stopFlush();
    this.#transport.close();
    await this.flush();
    this.#udp.close();
  }

  #record(
    name: string,
    value: number | string,
    type: StatsdType,
    sampleRate = this.#sampleRate,
    tags?: StatsdTags,
  ): void {
    if (this.#closed) {
      this.#stats.dropped('closed', 1, `${name}: recorded after close()`);
      return;
    }
    const numeric = typeof value === 'number';
    const validValue = numeric ? Number.isFinite(value) : type === 's' && typeof value === 'string';
    if (!validValue || !validRate(sampleRate)) {
      this.#stats.dropped(
        'invalid_value',
        1,
        `${name}: value ${value} or sample rate ${sampleRate} is not valid`,
      );
      return;
    }
    if (sampleRate < 1 && this.#random() >= sampleRate) return;
    const shown = numeric ? String(value) : sanitizeName(value as string);
    let tagList: readonly string[] = this.#globalTags;
    try {
      tagList = mergeTags(this.#globalTags, tags);
    } catch {
      this.#stats.dropped('invalid_value', 1, `${name}: tags are neither an object nor an array of strings`);
      return;
    }
    this.#append(
      statsdLine(`${this.#prefix}${sanitizeName(name)}${this.#suffix}`, shown, type, sampleRate, tagList),
    );
  }

  #append(line: string): void {
    const bytes = Buffer.byteLength(line);
    if (this.#bufferLines > 0 && this.#bufferBytes + 1 + bytes > this.#maxPayload) this.#sendBuffer();
    if (this.#bufferLines === 0) {
      this.#buffer = line;
      this.#bufferBytes = bytes;
    } else {
      this.#buffer += `\n${line}`;
      this.#bufferBytes += 1 + bytes;
    }
    this.#bufferLines++;
    if (this.#bufferBytes >= this.#maxPayload) this.#sendBuffer();
  }

  #sendBuffer(): void {
    if (this.#bufferLines === 0) return;
    const datagram = Buffer.from(this.#buffer);
    const lines = this.#bufferLines;
    this.#buffer = '';
    this.#bufferBytes = 0;
    this.#bufferLines = 0;
    if (this.#inFlight.size >= this.#maxInFlight) {
      this.#stats.dropped(
        'queue_full',
        lines,
        `${this.#maxInFlight} datagrams already being sent or retried`,
      );
      return;
    }
    const pending = this.#transport.send(datagram, lines);
    this.#inFlight.add(pending);
    void pending.then(() => this.#inFlight.delete(pending));
  }
}

function validRate(rate: unknown): rate is number {
  return typeof rate === 'number' && rate > 0 && rate <= 1;
}

function text(option: string, value: string | undefined): string {
  if (value !== undefined && typeof value !== 'string') throw invalidOption(option, value, 'a string');
  return value ?? '';
}
