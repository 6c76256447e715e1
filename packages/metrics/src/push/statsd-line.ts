/**
 * One StatsD line, byte for byte as hot-shots (the most used Node client) writes it:
 * `<name>:<value>|<type>[|@<rate>][|#<tag>,<tag>]`, with the same character replacements, so
 * a DogStatsD agent, Etsy's statsd or vigil's own ingest read both alike.
 */
export type StatsdType = 'c' | 'g' | 'ms' | 'h' | 'd' | 's';

/** DogStatsD tags: `{ env: 'prod' }`, or ready-made `['env:prod', 'canary']`. */
export type StatsdTags = Readonly<Record<string, string | number | boolean>> | readonly string[];

/** `:`, `|` and line breaks would end the name early. */
export function sanitizeName(name: string): string {
  return name.replace(/[:|\n\r]/g, '_');
}

/** Tags as `key:value` strings, with the characters that would split a tag or a line replaced by `_`. */
export function formatTags(tags: StatsdTags): string[] {
  if (Array.isArray(tags)) {
    return (tags as readonly string[]).map((tag) => {
      const colon = tag.indexOf(':');
      return colon > 0
        ? `${sanitizeTagKey(tag.slice(0, colon))}:${sanitizeTagValue(tag.slice(colon + 1))}`
        : sanitizeTagKey(tag);
    });
  }
  return Object.entries(tags).map(
    ([key, value]) => `${sanitizeTagKey(key)}:${sanitizeTagValue(String(value))}`,
  );
}

/** The client's global tags with those the call names again left out, then the call's own. */
export function mergeTags(global: readonly string[], tags: StatsdTags | undefined): readonly string[] {
  if (tags === undefined) return global;
  const own = formatTags(tags);
  if (own.length === 0) return global;
  if (global.length === 0) return own;
  const keys = new Set(own.map(tagKey).filter((key) => key !== undefined));
  return [...global.filter((tag) => !keys.has(tagKey(tag) as string)), ...own];
}

export function statsdLine(
  name: string,
  value: string,
  type: StatsdType,
  sampleRate: number,
  tags: readonly string[],
): string {
  let line = `${name}:${value}|${type}`;
  if (sampleRate < 1) line += `|@${sampleRate}`;
  if (tags.length > 0) line += `|#${tags.join(',')}`;
  return line;
}

function tagKey(tag: string): string | undefined {
  const colon = tag.indexOf(':');
  return colon > 0 ? tag.slice(0, colon) : undefined;
}

function sanitizeTagKey(key: string): string {
  return key.replace(/[:|@,#\n\r]/g, '_');
}

/** A tag value may hold `:` (URLs do). */
function sanitizeTagValue(value: string): string {
  return value.replace(/[|@,#\n\r]/g, '_');
}
