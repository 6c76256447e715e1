/** What an anomaly band is drawn around, and how. */
export interface AnomalyBandSpec {
  /** The recorded series the band is for (`operation:stt_p95:1m`), a valid metric name. */
  readonly series: string;
  /** The PromQL recorded as `series`, when the band's rules record it too. */
  readonly expr?: string;
  /** The season, in Prometheus's duration syntax: `1d` (same hour of previous days) or `1w`. */
  readonly season: string;
  /** How many previous seasons the baseline is taken from (default 7). */
  readonly seasons?: number;
  /** The window around the same moment of each season (default `1h`: half an hour each side). */
  readonly window?: string;
  /**
   * The window the spread is read over, around the same moments (default twice `window`, at most
   * the season): noise changes more slowly than the level, and a quantile range over few points
   * is itself noisy.
   */
  readonly spreadWindow?: string;
  /** The band is the baseline ± this many spreads (default 3). */
  readonly width?: number;
  /**
   * The smallest spread, in the series' unit (default none): for a series that is flat most of the
   * time (an error ratio that is 0 but for a stray error), whose spread is then 0 and whose band
   * every stray error leaves. Set it to a third of the smallest change worth flagging.
   */
  readonly minSpread?: number;
}

export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
}

const UNIT_S: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/**
 * The recording rules of an anomaly band, in plain PromQL (so Prometheus evaluates them as vigil
 * does): for each of the last `seasons` seasons, the median of the series over the `window`
 * centred on the same moment of that season, and its interquartile range over the `spreadWindow`
 * centred there (`quantile_over_time` with `offset`). The baseline is the median of those medians,
 * so one unusual day (an incident a week ago) does not move it. The spread is the upper quartile
 * of those ranges: a season whose range came out small (a calm hour, or a few points that happened
 * to agree) would make a band narrow enough for ordinary noise to leave it, while only the widest
 * quarter of seasons (one incident day in seven) is passed over. The band is
 * baseline ± `width` × spread, and `<series>:anomalous` holds the series' value wherever it is
 * outside the band.
 */
export function anomalyBandRules(spec: AnomalyBandSpec): RecordingRule[] {
  const seasons = spec.seasons ?? 7;
  const window = spec.window ?? '1h';
  const width = spec.width ?? 3;
  const s = spec.series;
  const seasonS = seconds(spec.season, 'season');
  const windowS = seconds(window, 'window');
  if (windowS >= seasonS)
    throw new Error(`window: ${window} must be shorter than the season (${spec.season})`);
  const spreadWindowS =
    spec.spreadWindow === undefined
      ? Math.min(2 * windowS, seasonS)
      : seconds(spec.spreadWindow, 'spreadWindow');
  if (spreadWindowS > seasonS)
    throw new Error(`spreadWindow: ${spec.spreadWindow} must not be longer than the season (${spec.season})`);
  if (!Number.isInteger(seasons) || seasons < 1)
    throw new Error('seasons: expected a whole number of 1 or more');
  if (spec.minSpread !== undefined && !(spec.minSpread > 0 && Number.isFinite(spec.minSpread)))
    throw new Error(`minSpread: got ${spec.minSpread}, expected a number above 0`);
  const perSeason = (spanS: number, inner: (range: string) => string) =>
    Array.from({ length: seasons }, (_, i) => {
      const range = `${s}[${duration(spanS)}] offset ${duration((i + 1) * seasonS - spanS / 2)}`;
      return `label_replace(${inner(range)}, "season", "${i + 1}", "", "")`;
    }).join('\n  or ');
  return [
    ...(spec.expr === undefined ? [] : [{ record: s, expr: spec.expr }]),
    {
      record: `${s}:seasonal_median`,
      expr: `quantile without (season) (0.5,\n  ${perSeason(windowS, (r) => `quantile_over_time(0.5, ${r})`)}\n)`,
    },
    {
      record: `${s}:seasonal_spread`,
      expr: atLeast(
        `quantile without (season) (0.75,\n  ${perSeason(spreadWindowS, (r) => `(quantile_over_time(0.75, ${r}) - quantile_over_time(0.25, ${r}))`)}\n)`,
        spec.minSpread,
      ),
    },
    { record: `${s}:band_upper`, expr: `${s}:seasonal_median + ${width} * ${s}:seasonal_spread` },
    { record: `${s}:band_lower`, expr: `${s}:seasonal_median - ${width} * ${s}:seasonal_spread` },
    { record: `${s}:anomalous`, expr: `(${s} > ${s}:band_upper) or (${s} < ${s}:band_lower)` },
  ];
}

function atLeast(expr: string, min: number | undefined): string {
  return min === undefined ? expr : `clamp_min(${expr}, ${min})`;
}

function seconds(text: string, what: string): number {
  const m = /^(\d+)([smhdw])$/.exec(text);
  if (!m) throw new Error(`${what}: got "${text}", expected a duration such as 1h, 1d or 1w`);
  return Number(m[1]) * UNIT_S[m[2]!]!;
}

/** Seconds as Prometheus writes a duration: `6d23h30m`. */
function duration(total: number): string {
  let rest = total;
  let out = '';
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out || '0s';
}
