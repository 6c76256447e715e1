/**
 * A GET path with its query string, built one way for every caller: the requests boot.ts sends
 * before the bundle loads are matched to the app's by this exact string (early-requests.ts).
 */
export function withParams(path: string, params?: Record<string, string | number>): string {
  if (!params) return path;
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) query.set(k, String(v));
  return `${path}?${query}`;
}
