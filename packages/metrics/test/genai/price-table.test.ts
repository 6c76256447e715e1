import { describe, expect, it } from 'vitest';
import { VigilError } from '../../src/base/errors.js';
import { errorTypeOf } from '../../src/genai/error-type.js';
import { PriceTable } from '../../src/genai/price-table.js';

const DAY = 86_400_000;
const at = (date: string) => Date.parse(date);
const usage = (input: number, output: number, cachedInput = 0) => ({ input, cachedInput, output });

describe('PriceTable', () => {
  const table = new PriceTable([
    { provider: 'openai', model: 'gpt-4o', effectiveFrom: '2024-05-13', input: 5, output: 15 },
    {
      provider: 'openai',
      model: 'gpt-4o',
      effectiveFrom: '2024-10-01',
      input: 2.5,
      output: 10,
      cachedInput: 1.25,
    },
    { provider: 'openai', model: 'gpt-4o-mini', effectiveFrom: '2024-07-18', input: 0.15, output: 0.6 },
    { model: 'claude-3-5-sonnet*', effectiveFrom: '2024-06-20', input: 3, output: 15, cachedInput: 0.3 },
    {
      provider: 'aws.bedrock',
      model: 'claude-3-5-sonnet*',
      effectiveFrom: '2024-06-20',
      input: 3.3,
      output: 16.5,
    },
  ]);

  it('picks the price in effect at the time of the call', () => {
    expect(table.priceAt('openai', 'gpt-4o', at('2024-05-12'))).toBeUndefined();
    expect(table.priceAt('openai', 'gpt-4o', at('2024-05-13'))).toEqual({
      input: 5,
      output: 15,
      cachedInput: 5,
    });
    expect(table.priceAt('openai', 'gpt-4o', at('2024-09-30T23:59:59Z'))!.input).toBe(5);
    expect(table.priceAt('openai', 'gpt-4o', at('2024-10-01'))).toEqual({
      input: 2.5,
      output: 10,
      cachedInput: 1.25,
    });
  });

  it('prefers an exact model to a prefix, and the provider’s own price to one for any provider', () => {
    expect(table.priceAt('openai', 'gpt-4o-mini', at('2024-08-01'))!.input).toBe(0.15);
    expect(table.priceAt('anthropic', 'claude-3-5-sonnet-20241022', at('2024-11-01'))!.input).toBe(3);
    expect(table.priceAt('aws.bedrock', 'claude-3-5-sonnet-20241022', at('2024-11-01'))!.input).toBe(3.3);
    expect(table.priceAt('anthropic', 'gpt-4o', at('2024-11-01'))).toBeUndefined();
  });

  it('bills cached input at its own price and the rest of the input at the input price', () => {
    // 10,000 input of which 4,000 cached, 1,000 output, at $2.50 / $1.25 / $10 per million.
    expect(table.cost('openai', 'gpt-4o', usage(10_000, 1000, 4000), at('2024-11-01'))).toEqual({
      input: 0.015,
      cached_input: 0.005,
      output: 0.01,
      total: 0.03,
    });
    expect(table.cost('mistral', 'large', usage(1, 1), at('2024-11-01'))).toBeUndefined();
  });

  it('takes a new price from its date without touching earlier ones, and replaces one of the same date', () => {
    const t = new PriceTable([{ model: 'm', effectiveFrom: 0, input: 1, output: 1 }]);
    t.add({ model: 'm', effectiveFrom: 10 * DAY, input: 2, output: 2 });
    t.add({ model: 'm', effectiveFrom: 5 * DAY, input: 3, output: 3 });
    t.add({ model: 'm', effectiveFrom: 5 * DAY, input: 4, output: 4 });
    expect([0, 5, 9, 10].map((d) => t.priceAt('x', 'm', d * DAY)!.input)).toEqual([1, 4, 4, 2]);
  });

  it('rejects bad prices, naming the entry and the field', () => {
    const bad: Array<[unknown, RegExp]> = [
      [[{ model: '', effectiveFrom: 0, input: 1, output: 1 }], /prices\[0\]\.model: got ""/],
      [
        [{ model: 'm', effectiveFrom: 'soon', input: 1, output: 1 }],
        /prices\[0\]\.effectiveFrom: got "soon"/,
      ],
      [
        [{ model: 'm', effectiveFrom: 0, input: -1, output: 1 }],
        /prices\[0\]\.input: got -1, expected USD per million/,
      ],
      [
        [{ model: 'm', effectiveFrom: 0, input: 1, output: 1, cachedInput: Number.NaN }],
        /cachedInput: got NaN/,
      ],
      [[{ model: 'm', provider: 3, effectiveFrom: 0, input: 1, output: 1 }], /prices\[0\]\.provider: got 3/],
      ['nope', /prices: got "nope"/],
    ];
    for (const [prices, message] of bad) {
      expect(() => new PriceTable(prices as never)).toThrow(VigilError);
      expect(() => new PriceTable(prices as never)).toThrow(message);
    }
  });
});

describe('errorTypeOf', () => {
  it("classifies into the seed's error_breakdown vocabulary", () => {
    expect(errorTypeOf(undefined)).toBeUndefined();
    expect(errorTypeOf(false)).toBeUndefined();
    expect(errorTypeOf('content_filter')).toBe('content_filter');
    expect(errorTypeOf(Object.assign(new Error('slow down'), { status: 429 }))).toBe('rate_limit');
    expect(errorTypeOf({ name: 'RateLimitError' })).toBe('rate_limit');
    expect(errorTypeOf(new DOMException('timed out', 'TimeoutError'))).toBe('timeout');
    expect(errorTypeOf(Object.assign(new Error('x'), { code: 'ETIMEDOUT' }))).toBe('timeout');
    expect(errorTypeOf(new DOMException('aborted', 'AbortError'))).toBe('timeout');
    expect(errorTypeOf({ response: { status: 500 } })).toBe('api_error');
    expect(errorTypeOf(new TypeError('boom'))).toBe('other');
    expect(errorTypeOf(true)).toBe('other');
  });
});
