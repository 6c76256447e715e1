/** A series' legend: the template with `{{label}}` replaced, else the metric as Prometheus writes it. */
export function legendOf(labels: Readonly<Record<string, string>>, template?: string): string {
  if (template !== undefined) {
    return template.replace(
      /\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g,
      (_, name: string) => labels[name] ?? '',
    );
  }
  const { __name__: name = '', ...rest } = labels;
  const pairs = Object.entries(rest).map(([k, v]) => `${k}="${v}"`);
  return pairs.length === 0 ? name || '{}' : `${name}{${pairs.join(', ')}}`;
}
