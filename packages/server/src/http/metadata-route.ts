import type { MetricMetadata } from '../ingest/metric-metadata.js';
import { badRequest } from './http-error.js';
import { sendData } from './respond.js';
import type { Router } from './router.js';

/**
 * Prometheus's `GET /api/v1/metadata?metric=&limit=&limit_per_metric=`: TYPE, HELP and UNIT of the
 * families ingest has read. A negative or absent limit is no limit, as in Prometheus.
 */
export function metadataRoute(router: Router, metadata: MetricMetadata): void {
  router.on('GET', '/api/v1/metadata', ({ res, url }) => {
    const limit = integer(url.searchParams, 'limit');
    const perMetric = integer(url.searchParams, 'limit_per_metric');
    const metric = url.searchParams.get('metric');
    sendData(
      res,
      metadata.query({
        ...(metric ? { metric } : {}),
        ...(limit !== undefined && limit >= 0 ? { limit } : {}),
        ...(perMetric !== undefined && perMetric >= 0 ? { limitPerMetric: perMetric } : {}),
      }),
    );
  });
}

function integer(params: URLSearchParams, name: string): number | undefined {
  const text = params.get(name);
  if (text === null || text === '') return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n))
    throw badRequest(`invalid parameter "${name}": got "${text}", expected an integer`);
  return n;
}
