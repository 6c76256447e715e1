/**
 * JSON that can sit inside an HTML `<script>` element: a `<script>`'s text ends at the first
 * `</script` and changes meaning after `<!--`, whatever the JSON means, so every `<`, `>` and `&`
 * (which JSON only has inside strings) is written as a \u escape, as are U+2028 and U+2029 for
 * any reader that takes the text for JavaScript. JSON.parse reads it back to the same value.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
