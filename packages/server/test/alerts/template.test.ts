import { describe, expect, it } from 'vitest';
import { formatE, formatG, sprintf } from '../../src/alerts/go-format.js';
import { TEMPLATE_OUTPUT_LIMIT, Template, TemplateError } from '../../src/alerts/template.js';

const data = {
  labels: { __name__: 'http_errors', job: 'api', instance: 'host-1:9100', path: '/login' },
  externalLabels: { cluster: 'eu-1' },
  externalURL: 'http://vigil:8000',
  value: 1234567.891,
};

function render(text: string, value = data.value): string {
  return new Template(text).render({ ...data, value });
}

describe('alert templates', () => {
  // Expected strings are what Prometheus 2.42's template package prints for the same input.
  it.each([
    ['{{ $labels.job }} on {{ $labels.instance }}', 'api on host-1:9100'],
    ['{{ .Labels.job }} / {{ .Value }}', 'api / 1.234567891e+06'],
    ['{{ $value }}', '1.234567891e+06'],
    ['{{ $externalLabels.cluster }} {{ .ExternalURL }}', 'eu-1 http://vigil:8000'],
    ['{{ $value | humanize }}', '1.235M'],
    ['{{ humanize $value }}', '1.235M'],
    ['{{ $value | humanize1024 }}', '1.177Mi'],
    ['{{ printf "%.2f" $value }}', '1234567.89'],
    ['{{ $value | printf "%.1f" }}', '1234567.9'],
    [
      '{{ $labels.job | toUpper }}-{{ "MiXeD" | toLower }}-{{ "hello world" | title }}',
      'API-mixed-Hello World',
    ],
    ['{{ $labels.missing }}', '<no value>'],
    ['{{ if gt $value 1000.0 }}big{{ else }}small{{ end }}', 'big'],
    ['{{ if lt $value 10.0 }}a{{ else if lt $value 2000000.0 }}b{{ else }}c{{ end }}', 'b'],
    ['{{ if eq $labels.job "api" "web" }}known{{ end }}', 'known'],
    ['{{ if and (gt $value 1.0) (eq $labels.job "api") }}both{{ end }}', 'both'],
    ['a  {{- " b " -}}  c', 'a b c'],
    ['{{/* a comment */}}x', 'x'],
    ['{{ $j := $labels.job }}{{ $j }}!', 'api!'],
    ['{{ reReplaceAll ":[0-9]+$" "" $labels.instance }}', 'host-1'],
    ['{{ if match "^/log" $labels.path }}auth{{ end }}', 'auth'],
    ['{{ index $labels "job" }}', 'api'],
  ])('%s → %s', (text, expected) => {
    expect(render(text)).toBe(expected);
  });

  it.each([
    [0.000123, '{{ humanize $value }}', '123u'],
    [0, '{{ humanize $value }}', '0'],
    [999, '{{ humanize $value }}', '999'],
    [1_000, '{{ humanize $value }}', '1k'],
    [90, '{{ humanizeDuration $value }}', '1m 30s'],
    [93784, '{{ humanizeDuration $value }}', '1d 2h 3m 4s'],
    [1.5, '{{ humanizeDuration $value }}', '1.5s'],
    [0.0015, '{{ humanizeDuration $value }}', '1.5ms'],
    [0, '{{ humanizeDuration $value }}', '0s'],
    [0.1234, '{{ humanizePercentage $value }}', '12.34%'],
    [1700000000, '{{ humanizeTimestamp $value }}', '2023-11-14 22:13:20 +0000 UTC'],
    [1700000000.5, '{{ humanizeTimestamp $value }}', '2023-11-14 22:13:20.5 +0000 UTC'],
    [0.5, '{{ $value }}', '0.5'],
    [123456, '{{ $value }}', '123456'],
    [0.00001, '{{ $value }}', '1e-05'],
    [Number.NaN, '{{ $value }}', 'NaN'],
  ])('%d with %s → %s', (value, text, expected) => {
    expect(render(text, value)).toBe(expected);
  });

  it('rejects what Go rejects at parse time, naming it', () => {
    expect(() => new Template('{{ humanise $value }}')).toThrow(/function "humanise" not defined/);
    expect(() => new Template('{{ $lables.job }}')).toThrow(/undefined variable "\$lables"/);
    expect(() => new Template('{{ .Labls.job }}')).toThrow(/can't evaluate field Labls/);
    expect(() => new Template('{{ if $value }}x')).toThrow(TemplateError);
    expect(() => new Template('{{ end }}')).toThrow(/unexpected \{\{end\}\}/);
    expect(() => new Template('{{ $value ')).toThrow(/unclosed action/);
    expect(() => new Template('{{ range $labels }}{{ end }}')).toThrow(/not supported/);
  });

  it('fails at run time where Go does', () => {
    expect(() => render('{{ humanize $labels.job }}')).toThrow(/parsing "api": invalid syntax/);
    expect(() => render('{{ gt $value "x" }}')).toThrow(/incompatible types/);
  });
  it('refuses to render more than TEMPLATE_OUTPUT_LIMIT characters, before building them', () => {
    const started = performance.now();
    expect(() => render('{{ printf "%99999999d" 1 }}')).toThrow(
      new TemplateError(
        'printf: the width or precision of %99999999d is more than 65536 characters, the limit of a template',
      ),
    );
    expect(() => render('{{ printf "%.99999999f" $value }}')).toThrow(/%\.99999999f is more than 65536/);
    expect(performance.now() - started).toBeLessThan(1000);
    // Each part within the limit, the whole past it.
    expect(() => render('{{ printf "%40000s" "a" }}{{ printf "%40000s" "b" }}')).toThrow(
      'the output is longer than 65536 characters, the limit of a template',
    );
    expect(render(`{{ printf "%${TEMPLATE_OUTPUT_LIMIT}s" "a" }}`)).toHaveLength(TEMPLATE_OUTPUT_LIMIT);
  });
});

describe('Go number formatting', () => {
  it('writes %g, %e and printf as Go does', () => {
    expect(formatG(1234.5678, 4)).toBe('1235');
    expect(formatG(12345.678, 4)).toBe('1.235e+04');
    expect(formatG(0.0001234, 4)).toBe('0.0001234');
    expect(formatG(0.00001234, 4)).toBe('1.234e-05');
    expect(formatE(1)).toBe('1e+00');
    expect(formatE(15)).toBe('1.5e+01');
    expect(formatE(0.25)).toBe('2.5e-01');
    expect(sprintf('%d%% of %s, %5.1f|%-4s|', [42.7, 'x', 2.71, 'ab'])).toBe('42% of x,   2.7|ab  |');
    expect(sprintf('%s %s', ['only'])).toBe('only %!s(MISSING)');
  });
});
