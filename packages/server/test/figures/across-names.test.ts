import { describe, expect, it } from 'vitest';
import { acrossNames } from '../../src/figures/across-names.js';
import { parsePromql } from '../../src/query/parse.js';

const NAMES = ['chat_llm_cost_usd_total', 'search_llm_cost_usd_total'];
const increase = (s: string) => `increase(${s}[1d])`;
/** Each name's selector in its canonical form: the matchers inside the braces, sorted as text. */
const each = (...others: string[]) =>
  NAMES.map(
    (name) =>
      `label_replace(increase({${[`__name__="${name}"`, ...others].sort().join(',')}}[1d]), "vigil_metric_name", "${name}", "", "")`,
  ).join(' or ');

describe('acrossNames', () => {
  it('narrows the selector to each name, whichever way it is written', () => {
    for (const [selector, want] of [
      [
        '{__name__=~".+_llm_cost_usd_total", provider="openai"}',
        each('__name__=~".+_llm_cost_usd_total"', 'provider="openai"'),
      ],
      [
        '  { provider = "openai" , __name__ =~ ".+_llm_cost_usd_total" }  ',
        each('provider="openai"', '__name__=~".+_llm_cost_usd_total"'),
      ],
      // A name before the braces, bare or quoted inside them, stays one of the matchers.
      ['cost{provider="openai"}', each('__name__="cost"', 'provider="openai"')],
      ['{"cost", provider="openai"}', each('__name__="cost"', 'provider="openai"')],
    ]) {
      const expr = acrossNames(selector!, NAMES, increase);
      expect([selector, expr]).toEqual([selector, want]);
      expect(() => parsePromql(expr)).not.toThrow();
    }
  });

  it('refuses a selector it cannot append a range to', () => {
    for (const selector of [
      '{__name__=~".+_total"} offset 1d',
      '{__name__=~".+_total"} @ 100',
      'rate(x[5m])',
    ])
      expect(() => acrossNames(selector, NAMES, increase)).toThrow(
        `acrossNames: ${JSON.stringify(selector)} is not a series selector without offset or @`,
      );
  });
});
