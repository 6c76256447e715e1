const SIMPLE: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '"': '"',
  "'": "'",
};

/**
 * The value of a PromQL string literal as written, quotes included: `"..."` and `'...'` with Go's
 * escapes (`\n`, `\x41`, `\101`, `\u00e9`, `\U0001F600`), or a raw `` `...` ``. Undefined if malformed.
 */
export function unquote(literal: string): string | undefined {
  const quote = literal[0];
  if (literal.length < 2 || literal.at(-1) !== quote) return undefined;
  const body = literal.slice(1, -1);
  if (quote === '`') return body.includes('`') ? undefined : body;
  if (quote !== '"' && quote !== "'") return undefined;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === quote || c === '\n') return undefined;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    if (e === undefined) return undefined;
    const simple = SIMPLE[e];
    if (simple !== undefined) {
      if ((e === '"' || e === "'") && e !== quote) return undefined;
      out += simple;
      continue;
    }
    const digits = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : /[0-7]/.test(e) ? 3 : 0;
    if (digits === 0) return undefined;
    const code = e >= '0' && e <= '7' ? body.slice(i, i + 3) : body.slice(i + 1, i + 1 + digits);
    const base = e >= '0' && e <= '7' ? 8 : 16;
    if (code.length !== digits || !(base === 8 ? /^[0-7]+$/ : /^[0-9a-fA-F]+$/).test(code)) return undefined;
    const n = Number.parseInt(code, base);
    if (n > 0x10ffff) return undefined;
    // \x and octal escapes are bytes in Go; below 0x80 they are the same character.
    out += String.fromCodePoint(n);
    i += base === 8 ? 2 : digits;
  }
  return out;
}
