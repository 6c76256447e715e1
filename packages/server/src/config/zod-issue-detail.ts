import type { z } from 'zod';

/**
 * What a configuration error says after the key: the unknown keys, or the value found at the
 * issue's path in `value` and what was expected instead.
 */
export function zodIssueDetail(issue: z.core.$ZodIssue, value: unknown): string {
  if (issue.code === 'unrecognized_keys') {
    return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  }
  const got = issue.path.reduce<unknown>(
    (v, k) => (v as Record<PropertyKey, unknown> | undefined)?.[k as PropertyKey],
    value,
  );
  return `got ${JSON.stringify(got) ?? 'nothing'}, ${issue.message.replace(/^Invalid input: /, '')}`;
}
