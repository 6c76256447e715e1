/**
 * Writes samples in Prometheus's text format with timestamps (`name{labels} value ms`, one a line)
 * through `POST /api/v1/import/prometheus`, and fails unless every one was stored: a test's data
 * that the server refused would make its figures wrong without saying so.
 */
export async function importSamples(
  url: string,
  lines: readonly string[],
  headers: Record<string, string> = {},
): Promise<void> {
  const res = await fetch(`${url}/api/v1/import/prometheus`, {
    method: 'POST',
    headers,
    body: `${lines.join('\n')}\n`,
  });
  const text = await res.text();
  const answer =
    res.status < 300 ? (JSON.parse(text) as { rejected: object; malformedCount: number }) : undefined;
  if (!answer || answer.malformedCount > 0 || Object.keys(answer.rejected).length > 0)
    throw new Error(`import answered ${res.status}: ${text.slice(0, 500)}`);
}
