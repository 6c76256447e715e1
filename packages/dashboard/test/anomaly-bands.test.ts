import { describe, expect, it } from 'vitest';
import { AnomalyBands, bandIndex } from '../src/anomaly-bands.js';
import type { ApiClient } from '../src/api-client.js';
import { alignSeries } from '../src/panels/aligned-series.js';
import { bandColumns } from '../src/panels/band-columns.js';

const series = (labels: Record<string, string>, points: [number, number][]) => ({
  metric: labels,
  values: points.map(([t, v]) => [t, String(v)] as [number, string]),
});

describe('anomaly bands on charts', () => {
  // What anomalyBandRules() records for `job:req:rate5m` (docs/forecasts.md), names and one expression.
  const rules = [
    { name: 'job:req:rate5m', query: 'sum by (job) (rate(req_total[5m]))' },
    { name: 'job:req:rate5m:seasonal_median', query: 'quantile without (season) (…)' },
    { name: 'job:req:rate5m:band_upper', query: 'job:req:rate5m:seasonal_median + 3 * …' },
    { name: 'job:req:rate5m:band_lower', query: 'job:req:rate5m:seasonal_median - 3 * …' },
    { name: 'other:band_upper', query: 'x' },
  ];

  it('knows a banded series by its name and by its recorded expression, however it is laid out', async () => {
    const asked: string[] = [];
    const api = {
      get: async (path: string, params: Record<string, string>) => {
        asked.push(`${path}?type=${params.type}`);
        return { status: 'success', data: { groups: [{ rules }] } };
      },
    };
    const bands = new AnomalyBands(api as unknown as ApiClient);
    const band = {
      series: 'job:req:rate5m',
      lower: 'job:req:rate5m:band_lower',
      upper: 'job:req:rate5m:band_upper',
    };
    expect(await bands.of('job:req:rate5m')).toEqual(band);
    expect(await bands.of('sum by(job) (\n  rate(req_total[5m] )\n)')).toEqual(band);
    expect(await bands.of('sum by (job) (rate(req_total[1m]))')).toBeUndefined();
    // An upper edge without its lower one is no band.
    expect(await bands.of('other')).toBeUndefined();
    expect(bandIndex(rules).size).toBe(2);
    // The rules are asked for once, not once a chart.
    expect(asked).toEqual(['/api/v1/rules?type=record']);
  });

  it('draws charts without bands when the rules cannot be read', async () => {
    const api = { get: async () => Promise.reject(new Error('HTTP 403')) };
    expect(await new AnomalyBands(api as unknown as ApiClient).of('job:req:rate5m')).toBeUndefined();
  });

  it('puts each series’ edges on the chart’s time axis, matched by labels, none for "others"', () => {
    const data = alignSeries(
      [
        {
          series: [
            series({ __name__: 'job:req:rate5m', job: 'api' }, [
              [100, 5],
              [110, 6],
            ]),
            series({ __name__: 'job:req:rate5m', job: 'web' }, [[100, 1]]),
          ],
        },
      ],
      { step: 10 },
    );
    const lower = [series({ __name__: 'job:req:rate5m:band_lower', job: 'api' }, [[110, 4]])];
    const upper = [
      series({ __name__: 'job:req:rate5m:band_upper', job: 'api' }, [
        [110, 8],
        [999, 9],
      ]),
      series({ __name__: 'job:req:rate5m:band_upper', job: 'web' }, [[100, 2]]),
    ];
    // api has both edges; web only an upper one, so no band.
    expect(bandColumns(data, lower, upper, 'job:req:rate5m')).toEqual([
      { of: 0, lower: [null, 4], upper: [null, 8] },
    ]);
    // Charted as an expression, the series has no name: its edges match on the other labels.
    const unnamed = alignSeries([{ series: [series({ job: 'api' }, [[110, 5]])] }], { step: 10 });
    expect(bandColumns(unnamed, lower, upper, 'job:req:rate5m')).toEqual([{ of: 0, lower: [4], upper: [8] }]);
  });
});
