import { describe, expect, it } from 'vitest';
import { alignSeries } from '../src/panels/aligned-series.js';
import { seriesColors } from '../src/panels/series-palette.js';

const series = (labels: Record<string, string>, points: [number, number][]) => ({
  metric: labels,
  values: points.map(([t, v]) => [t, String(v)] as [number, string]),
});

describe('alignSeries', () => {
  it('joins queries on their timestamps and breaks the line where no point came for 1.5 steps', () => {
    const data = alignSeries(
      [
        {
          series: [
            series({ op: 'a' }, [
              [100, 1],
              [110, 2],
              [150, 3],
            ]),
          ],
          legend: '{{op}}',
        },
        { series: [series({ op: 'b' }, [[110, 5]])], legend: '{{op}}' },
      ],
      { step: 10 },
    );
    expect(data.xs).toEqual([100, 110, 130, 150]);
    expect(data.ys).toEqual([
      [1, 2, null, 3],
      [null, 5, null, null],
    ]);
    expect(data.names).toEqual(['a', 'b']);
  });

  it('draws the largest series and folds the rest into "others" (sum for rates, max for latencies)', () => {
    const many = Array.from({ length: 12 }, (_, i) => series({ s: `s${i}` }, [[0, i]]));
    const summed = alignSeries([{ series: many, legend: '{{s}}' }], { step: 10, limit: 4 });
    expect(summed.names).toEqual(['s9', 's10', 's11', 'others (9, sum)']);
    expect(summed.ys.at(-1)).toEqual([0 + 1 + 2 + 3 + 4 + 5 + 6 + 7 + 8]);
    expect(summed.members.at(-1)).toHaveLength(9);
    const maxed = alignSeries([{ series: many, legend: '{{s}}' }], { step: 10, limit: 4, combine: 'max' });
    expect(maxed.ys.at(-1)).toEqual([8]);
  });
});

describe('seriesColors', () => {
  it('gives a name its own colour in every chart unless a name before it took it, and no colour twice', () => {
    const own = (name: string) => seriesColors([name])[0];
    const names = ['openai', 'anthropic', 'google', 'speech_to_text', 'rag_inference', 'crm_api', 'x', 'y'];
    const colors = seriesColors(names);
    expect(new Set(colors).size).toBe(names.length);
    let kept = 0;
    for (const [i, name] of names.entries()) {
      if (colors.slice(0, i).includes(own(name)!)) continue;
      expect(colors[i], name).toBe(own(name));
      kept++;
    }
    expect(kept).toBeGreaterThan(1);
  });
});
