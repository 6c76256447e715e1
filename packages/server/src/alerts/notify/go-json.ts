/**
 * JSON as Go's `json.Encoder` writes it, which Alertmanager's webhook uses: `<`, `>`, `&`, U+2028
 * and U+2029 escaped as `\u003c`..., control characters other than \n, \r and \t as `\u00XX`, map
 * keys sorted, and a newline after the value. Receivers that sign or hash the body (or tests that
 * compare bytes) then see the same bytes as from Alertmanager.
 */
export function goString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029)
      out += `\\u${c.toString(16).padStart(4, '0')}`;
    else if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        out += s[i]! + s[i + 1]!;
        i++;
      } else out += '\\ufffd';
    } else out += s[i]!;
  }
  return `${out}"`;
}

/** A string map with sorted keys, as Go encodes a `map[string]string`. */
export function goMap(map: Readonly<Record<string, string>>): string {
  const keys = Object.keys(map).sort();
  return `{${keys.map((k) => `${goString(k)}:${goString(map[k]!)}`).join(',')}}`;
}

/** Go's `time.Time` in JSON: RFC 3339 with the fraction trimmed of trailing zeros; 0 is Go's zero time. */
export function goTime(ms: number): string {
  if (ms === 0) return '"0001-01-01T00:00:00Z"';
  const iso = new Date(ms).toISOString();
  return `"${iso.replace(/\.?0+Z$/, 'Z').replace(/\.Z$/, 'Z')}"`;
}
