/**
 * Where in the query a PromQL error points, from the server's message (Prometheus's wording:
 * `parse error at char 7: ...` or `parse error at line 2, char 3: ...`), as a 0-based offset.
 */
export function errorPosition(query: string, message: string): number | undefined {
  const m = /at (?:line (\d+), )?char (\d+)/.exec(message);
  if (!m) return undefined;
  const line = Number(m[1] ?? 1);
  const column = Number(m[2]);
  const lines = query.split('\n');
  if (line < 1 || line > lines.length) return undefined;
  let offset = 0;
  for (let i = 0; i < line - 1; i++) offset += lines[i]!.length + 1;
  return Math.min(offset + column - 1, query.length);
}
