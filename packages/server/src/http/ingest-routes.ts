import { type Clock, parsePrometheusText, VigilError } from '@vigil/metrics';
import { ServerError } from '../errors/server-error.js';
import { appendRefusal } from '../ingest/append-refusal.js';
import { expositionSamples, histogramSamples } from '../ingest/exposition-samples.js';
import { heartbeatSamples } from '../ingest/heartbeat.js';
import { type InfluxPrecision, parseInfluxLinesPaced } from '../ingest/influx-line.js';
import { IngestError } from '../ingest/ingest-error.js';
import type { IngestWriter } from '../ingest/ingest-writer.js';
import { JsonPushError, parseJsonPush } from '../ingest/json-push.js';
import { parseProtobufExposition } from '../ingest/protobuf-exposition.js';
import { type PushGroups, parseGroupingKey } from '../ingest/push-groups.js';
import { decodeRemoteWritePaced } from '../ingest/remote-write.js';
import type { SeriesHistograms, SeriesSamples } from '../store/series-store.js';
import { readBody } from './body.js';
import type { Credentials } from './credentials.js';
import { badRequest, HttpError } from './http-error.js';
import { sendJson } from './respond.js';
import type { RequestContext, Router } from './router.js';

export interface IngestRouteOptions {
  readonly writer: IngestWriter;
  readonly pushGroups: PushGroups;
  readonly clock: Clock;
  readonly bodyLimit: number;
  /** Who may call the API: a push heartbeat of an unknown monitor needs them. */
  readonly credentials: Credentials;
  /** Whether a push monitor of this token exists: named in the configuration, or heard from before. */
  readonly pushMonitorKnown: (token: string) => Promise<boolean>;
}

/**
 * HTTP push at the paths real clients already use: Prometheus remote write, Prometheus text with
 * optional timestamps (VictoriaMetrics' `/api/v1/import/prometheus`), the Pushgateway API (so
 * prom-client's Pushgateway client can push to vigil), InfluxDB line protocol (1.x `/write`, 2.x
 * `/api/v2/write`), vigil's JSON, and Uptime Kuma's push heartbeats.
 */
export function ingestRoutes(
  router: Router,
  { writer, pushGroups, clock, bodyLimit, credentials, pushMonitorKnown }: IngestRouteOptions,
): void {
  router.on('POST', '/api/v1/write', async ({ req, res }) => {
    const body = await readBody(req, bodyLimit);
    let decoded: Awaited<ReturnType<typeof decodeRemoteWritePaced>>;
    try {
      // Snappy declares the decompressed length up front: refused before allocating past the limit.
      decoded = await decodeRemoteWritePaced(body, { maxBytes: bodyLimit * 8 });
    } catch (error) {
      if (!(error instanceof IngestError)) throw error;
      writer.malformed('remote_write', error.reason);
      throw error;
    }
    writer.metadata.recordEntries(decoded.families);
    const refusal = appendRefusal([
      await writer.write('remote_write', decoded.series, decoded.histogramSeries),
    ]);
    if (refusal) throw refusal.error;
    res.writeHead(204).end();
  });

  const influxWrite = async (ctx: RequestContext, labels: Record<string, string>) => {
    const { req, res, url } = ctx;
    const precision = (url.searchParams.get('precision') ?? 'ns') as InfluxPrecision;
    if (!INFLUX_PRECISIONS.has(precision))
      throw badRequest(`precision: got "${precision}", expected one of ns, us, ms, s, m, h`);
    const text = (await readBody(req, bodyLimit)).toString('utf8');
    const parsed = await parseInfluxLinesPaced(text, {
      precision,
      nowMs: clock.now(),
      lenient: true,
      labels,
    });
    if (parsed.errors.length > 0) writer.malformed('influx', 'bad_line', parsed.errors.length);
    await writer.write('influx', parsed.series);
    if (parsed.errors.length === 0) {
      res.writeHead(204).end();
      return;
    }
    // InfluxDB 1.x stores the good lines of a partial write and answers 400 naming the first bad one.
    const first = parsed.errors[0]!;
    sendJson(res, 400, {
      error: `partial write: line ${first.line}: ${first.message} (${parsed.errors.length} lines refused)`,
    });
  };
  router.on('POST', '/write', (ctx) => {
    const db = ctx.url.searchParams.get('db');
    return influxWrite(ctx, db ? { db } : {});
  });
  router.on('POST', '/api/v2/write', (ctx) => {
    const bucket = ctx.url.searchParams.get('bucket');
    return influxWrite(ctx, bucket ? { bucket } : {});
  });

  router.on('POST', '/api/v1/import/prometheus', async ({ req, res, url }) => {
    const text = (await readBody(req, bodyLimit)).toString('utf8');
    const { families, errors } = parsePrometheusText(text, { strict: false });
    if (errors.length > 0) writer.malformed('import_prometheus', 'bad_line', errors.length);
    writer.metadata.record(families);
    const extra: Record<string, string> = {};
    for (const pair of url.searchParams.getAll('extra_label')) {
      const eq = pair.indexOf('=');
      if (eq < 1) throw badRequest(`extra_label: got "${pair}", expected name=value`);
      extra[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    const samples = expositionSamples(families, {
      nowMs: clock.now(),
      honorTimestamps: true,
      extraLabels: extra,
    });
    const result = await writer.write('import_prometheus', samples);
    sendJson(res, errors.length > 0 ? 400 : 200, {
      accepted: result.accepted,
      rejected: result.rejected,
      malformed: errors.slice(0, 20).map((e) => ({ line: e.line, message: e.message })),
      malformedCount: errors.length,
    });
  });

  router.on('POST', '/api/v1/push', async ({ req, res }) => {
    const text = (await readBody(req, bodyLimit)).toString('utf8');
    let samples: ReturnType<typeof parseJsonPush>;
    try {
      samples = parseJsonPush(text, clock.now());
    } catch (error) {
      if (error instanceof JsonPushError) writer.malformed('json', 'bad_body');
      throw error;
    }
    sendJson(res, 200, await writer.write('json', samples));
  });

  router.on(['PUT', 'POST', 'DELETE'], '/metrics/job/*', async ({ req, res, params }) => {
    const group = parseGroupingKey(`job/${params['*']}`);
    // A group changed in memory but not stored would be acknowledged without being durable.
    writer.assertWritable();
    const now = clock.now();
    if (req.method === 'DELETE') {
      await writer.write('pushgateway', pushGroups.delete(group, now));
      res.writeHead(202).end();
      return;
    }
    const body = await readBody(req, bodyLimit);
    let families: ReturnType<typeof parsePrometheusText>;
    let histograms: ReturnType<typeof parseProtobufExposition>['histograms'] = [];
    try {
      // The Pushgateway refuses a push with any bad line, keeping the group as it was.
      if ((req.headers['content-type'] ?? '').startsWith('application/vnd.google.protobuf')) {
        // client_golang's push: delimited MetricFamily messages, native histograms included.
        const parsed = parseProtobufExposition(body);
        if (parsed.errors.length > 0) {
          throw new IngestError(
            'bad_histogram',
            `${parsed.errors.length} bad histograms: ${parsed.errors[0]}`,
          );
        }
        families = parsed.families;
        histograms = parsed.histograms;
      } else {
        families = parsePrometheusText(body.toString('utf8'));
      }
    } catch (error) {
      if (error instanceof IngestError) {
        writer.malformed('pushgateway', error.reason);
        throw error;
      }
      if (!(error instanceof VigilError)) throw error;
      writer.malformed('pushgateway', 'bad_body');
      throw new HttpError('VIGIL_INGEST_BAD_TEXT', error.message, { cause: error });
    }
    const samples = pushGroups.push(group, families, req.method === 'PUT', now);
    writer.metadata.record(families);
    // A series pushed with its created timestamp (client_golang's protobuf push) gets a zero there,
    // as a scraped one does. Each push offers it again: the store refuses it once the series has a
    // later sample, and such a refusal is not counted.
    const zeros: SeriesSamples[] = [];
    const zeroHistograms: SeriesHistograms[] = [];
    expositionSamples(families, { nowMs: now, honorTimestamps: false, extraLabels: group }, zeros);
    // Native histograms are stored as pushed; unlike the group's float series they are not re-sampled
    // at every interval.
    const natives = histogramSamples(
      histograms,
      { nowMs: now, honorTimestamps: true, extraLabels: group },
      zeroHistograms,
    );
    await writer.writeCreatedZeros('pushgateway', zeros, zeroHistograms);
    await writer.write('pushgateway', samples, natives);
    res.writeHead(200).end();
  });

  // Open (open-routes.ts): the token in the path is the push monitor's credential, as in Uptime
  // Kuma, whose push scripts carry no other. Only a monitor that exists takes heartbeats that way;
  // the first heartbeat of a new one needs the API's credentials, so that nobody without them can
  // make up series.
  router.on(['GET', 'POST'], '/api/push/:token', async ({ req, res, url, params }) => {
    let samples: ReturnType<typeof heartbeatSamples>;
    try {
      samples = heartbeatSamples(params.token!, url.searchParams, clock.now());
    } catch (error) {
      if (!(error instanceof ServerError)) throw error;
      writer.malformed('heartbeat', 'bad_request');
      // Uptime Kuma's answer, which its push scripts read.
      sendJson(res, error.status, { ok: false, msg: error.message });
      return;
    }
    if (!(await pushMonitorKnown(params.token!)) && !(await credentials.check(req))) {
      writer.malformed('heartbeat', 'unknown_monitor');
      // Uptime Kuma's answer to a token it does not know.
      sendJson(res, 404, {
        ok: false,
        msg: 'Monitor not found or not active. A new push monitor starts with a heartbeat sent with the API token, or as push: in a status page.',
      });
      return;
    }
    await writer.write('heartbeat', samples);
    sendJson(res, 200, { ok: true });
  });
}

const INFLUX_PRECISIONS = new Set(['ns', 'n', 'us', 'u', 'ms', 's', 'm', 'h']);
