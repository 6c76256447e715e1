import { appendRefusal } from '../ingest/append-refusal.js';
import type { DeltaToCumulative } from '../ingest/delta-to-cumulative.js';
import { IngestError } from '../ingest/ingest-error.js';
import type { IngestWriter } from '../ingest/ingest-writer.js';
import { translateOtlp } from '../ingest/otlp.js';
import { decodeOtlpProto } from '../ingest/otlp-proto.js';
import { type OtlpRequest, parseOtlpJson } from '../ingest/otlp-request.js';
import { readBody } from './body.js';
import { HttpError } from './http-error.js';
import { sendJson } from './respond.js';
import type { Router } from './router.js';

export interface OtlpRouteOptions {
  readonly writer: IngestWriter;
  readonly delta: DeltaToCumulative;
  readonly bodyLimit: number;
}

/** Longest `error_message` sent back: one line per metric that lost points, cut here. */
const MAX_MESSAGE = 2000;

/**
 * OTLP/HTTP metrics export (opentelemetry.io/docs/specs/otlp/#otlphttp) at the OpenTelemetry default
 * path `/v1/metrics` and at Prometheus's `/api/v1/otlp/v1/metrics`: protobuf or JSON, gzip allowed,
 * answered with an `ExportMetricsServiceResponse` in the request's encoding, whose `partial_success`
 * counts the points refused and says why.
 */
export function otlpRoutes(router: Router, { writer, delta, bodyLimit }: OtlpRouteOptions): void {
  for (const path of ['/v1/metrics', '/api/v1/otlp/v1/metrics']) {
    router.on('POST', path, async ({ req, res }) => {
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      const json = type === 'application/json';
      if (!json && type !== 'application/x-protobuf')
        throw new HttpError(
          'VIGIL_UNSUPPORTED_MEDIA_TYPE',
          `Content-Type "${type}" is not OTLP: send application/x-protobuf or application/json`,
        );
      const body = await readBody(req, bodyLimit);
      let request: OtlpRequest;
      try {
        request = json ? parseOtlpJson(body.toString('utf8')) : decodeOtlpProto(body);
      } catch (error) {
        if (!(error instanceof IngestError)) throw error;
        writer.malformed('otlp', 'bad_otlp');
        if (error.reason === 'bad_otlp') throw error;
        // The protobuf reader's errors carry remote write's code: this body was OTLP.
        throw new IngestError('bad_otlp', `OTLP ${error.message}`, { cause: error });
      }
      const translated = translateOtlp(request, delta);
      writer.metadata.recordEntries(translated.families);
      const refusal = appendRefusal([await writer.write('otlp', translated.series, translated.histograms)]);
      // OTLP/HTTP: 429 is retryable; points refused for good are a partial success (200), not an error.
      if (refusal?.retryable) throw refusal.error;
      if (translated.rejected > 0) writer.malformed('otlp', 'rejected_points', translated.rejected);
      const rejected = translated.rejected + (refusal?.refused ?? 0);
      const errors = refusal ? [...translated.errors, refusal.error.message] : translated.errors;
      const message = errors.join('\n').slice(0, MAX_MESSAGE);
      if (json) {
        sendJson(
          res,
          200,
          rejected > 0 || message !== ''
            ? { partialSuccess: { rejectedDataPoints: String(rejected), errorMessage: message } }
            : {},
        );
        return;
      }
      const bytes = exportResponse(rejected, message);
      res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': bytes.length });
      res.end(bytes);
    });
  }
}

/** `ExportMetricsServiceResponse { partial_success = 1 { rejected_data_points = 1; error_message = 2 } }`. */
function exportResponse(rejected: number, message: string): Buffer {
  if (rejected === 0 && message === '') return Buffer.alloc(0);
  const text = Buffer.from(message, 'utf8');
  const inner = Buffer.concat([
    ...(rejected > 0 ? [Buffer.of(0x08), varint(rejected)] : []),
    ...(text.length > 0 ? [Buffer.of(0x12), varint(text.length), text] : []),
  ]);
  return Buffer.concat([Buffer.of(0x0a), varint(inner.length), inner]);
}

function varint(n: number): Buffer {
  const bytes: number[] = [];
  let v = n;
  while (v >= 0x80) {
    bytes.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  bytes.push(v);
  return Buffer.from(bytes);
}
