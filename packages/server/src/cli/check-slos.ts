import { parseArgs } from 'node:util';
import { toPrometheusRuleFile } from '../alerts/prometheus-rule-file.js';
import { queryVector } from '../alerts/query-vector.js';
import { RuleFileError } from '../alerts/rule-file-error.js';
import { loadConfig } from '../config/config.js';
import { ConfigError } from '../config/config-error.js';
import { parsePromql } from '../query/parse.js';
import { PromqlEngine } from '../query/promql-engine.js';
import { type LoadedSlos, loadSlos } from '../slo/slo-files.js';
import { bucketLabel } from '../slo/slo-rules.js';
import { openSqliteStore } from '../store/sqlite-store.js';

/**
 * `vigil check slos [--expand] [--config FILE] [--data DIR] [FILE...]`: checks SLO definitions (the
 * `slos:` of vigil.yaml and SLO files) and the rules derived from them. `--expand` prints those rules
 * as a Prometheus rule file; `--data` also checks, in that store, that each classic latency SLI's
 * histogram has a bucket at its threshold, and that each native one's histogram is there. Exit code 0 when everything is good, 1 otherwise.
 */
export async function checkSlos(
  args: string[],
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      expand: { type: 'boolean', default: false },
      config: { type: 'string' },
      data: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  let inline: { value: unknown; source: string } | undefined;
  let files = positionals;
  if (values.config !== undefined) {
    try {
      const config = loadConfig({ config: values.config }, {});
      inline = { value: config.slos.inline, source: config.slos.source };
      files = [...config.slos.files, ...positionals];
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      err(`vigil check slos: configuration: ${error.message}`);
      return 1;
    }
  }
  if (inline === undefined && files.length === 0) {
    err('vigil check slos: name SLO files, or --config FILE with slos or slo_files');
    return 2;
  }
  let loaded: LoadedSlos;
  try {
    loaded = loadSlos({ ...(inline && { inline }), files, baseDir: process.cwd() }, (expr) => {
      parsePromql(expr);
    });
  } catch (error) {
    if (!(error instanceof RuleFileError)) throw error;
    err(`FAILED:\n${error.message}`);
    return 1;
  }
  let failed = 0;
  const latency = loaded.slos.filter((s) => s.sli.kind === 'latency');
  if (values.data !== undefined && latency.length > 0) {
    const store = await openSqliteStore({ dir: values.data });
    try {
      const engine = new PromqlEngine({ store });
      const end = (await store.stats()).newestMs ?? Date.now();
      for (const slo of latency) {
        if (slo.sli.kind !== 'latency') continue;
        const { histogram, matchers, thresholdSeconds } = slo.sli;
        if (slo.sli.native) {
          const series = await queryVector(
            engine,
            `histogram_count(last_over_time(${histogram}{${matchers}}[${slo.windowDays}d]))`,
            end,
          );
          if (series.length === 0) {
            err(
              `SLO "${slo.name}": no native histogram ${histogram}{${matchers}} in ${values.data} (a classic histogram's ${histogram}_bucket series need native: false)`,
            );
            failed++;
          }
          continue;
        }
        const buckets = await queryVector(
          engine,
          `count by (le) (last_over_time(${histogram}_bucket{${matchers}}[${slo.windowDays}d]))`,
          end,
        );
        const bound = (le: string) => (le === '+Inf' ? Infinity : Number(le));
        const les = buckets.map((b) => b.labels.le ?? '').sort((a, b) => bound(a) - bound(b));
        const want = bucketLabel(thresholdSeconds);
        if (les.length === 0) {
          err(`SLO "${slo.name}": no ${histogram}_bucket{${matchers}} series in ${values.data}`);
          failed++;
        } else if (!les.some((le) => Number(le) === thresholdSeconds)) {
          err(
            `SLO "${slo.name}": ${histogram} has no bucket at le="${want}" (its buckets: ${les.join(', ')}); ` +
              `a classic histogram can only count requests under a threshold that is one of its bucket bounds: add a ${thresholdSeconds} s bucket, or pick one of those`,
          );
          failed++;
        }
      }
    } finally {
      await store.close();
    }
  } else
    for (const slo of latency)
      if (slo.sli.kind === 'latency' && !slo.sli.native)
        err(
          `note: SLO "${slo.name}" needs a bucket at le="${bucketLabel(slo.sli.thresholdSeconds)}" in ${slo.sli.histogram}: a classic histogram only counts requests under its bucket bounds, so the threshold must be one of them; --data DIR checks the stored buckets`,
        );
  if (values.expand) out(toPrometheusRuleFile(loaded.groups).trimEnd());
  else
    out(
      `SUCCESS: ${loaded.slos.length} SLOs found, ${loaded.groups.reduce((n, g) => n + g.rules.length, 0)} rules derived`,
    );
  return failed > 0 ? 1 : 0;
}
