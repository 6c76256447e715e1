import { fit, type Line, paint, type Segment } from './screen-line.js';
import { type Level, LOSS, latencyThreshold, levelOf, SESSION_MEMORY, TIMING_ERROR } from './thresholds.js';
import { formatBytes, formatNumber, formatRatio, formatSeconds, formatUptime } from './top-format.js';
import type { TopState } from './top-state.js';

export interface RenderOptions {
  readonly width: number;
  readonly height: number;
  /** ANSI colours; false for NO_COLOR or when the output is not a terminal. */
  readonly color: boolean;
}

/** From this width, the sections go side by side in two columns. */
export const TWO_COLUMNS_FROM = 100;

/**
 * The screen of `vigil top` for one state and one terminal size: at most `height` lines of exactly
 * `width` characters (colour codes aside). A pure function, so that every layout is tested without a
 * terminal. Wide terminals get two columns; the sessions table takes the rows that are left and says
 * how many it could not show.
 */
export function renderTop(state: TopState, options: RenderOptions): string[] {
  const width = Math.max(20, Math.floor(options.width));
  const height = Math.max(3, Math.floor(options.height));
  const lines: Line[] = [header(state)];
  if (state.error) lines.push([{ text: `! ${state.error} (showing the last data read)`, level: 'critical' }]);
  lines.push([]);
  let body: Line[];
  if (width >= TWO_COLUMNS_FROM) {
    const column = Math.floor((width - 2) / 2);
    const left = [...throughput(state), [], ...loss(state), [], ...latency(state, column)];
    const right = [...health(state), [], ...budgets(state), ...alerts(state)];
    body = [];
    for (let i = 0; i < Math.max(left.length, right.length); i++) {
      body.push([...fit(left[i] ?? [], column), { text: '  ' }, ...(right[i] ?? [])]);
    }
  } else {
    body = [
      ...throughput(state),
      [],
      ...loss(state),
      [],
      ...latency(state, width),
      [],
      ...health(state),
      [],
      ...budgets(state),
      ...alerts(state),
    ];
  }
  body.push([]);
  const room = height - lines.length - body.length;
  lines.push(...body, ...sessions(state, width, room));
  if (lines.length > height) {
    lines.length = height;
    lines[height - 1] = [{ text: '… make the terminal taller to see more' }];
  }
  return lines.map((line) => paint(fit(line, width), options.color));
}

function header(state: TopState): Line {
  const time = new Date(state.at).toISOString().slice(11, 19);
  const status: Level =
    state.status === 'healthy'
      ? 'ok'
      : state.status === 'degraded'
        ? 'warning'
        : state.status
          ? 'critical'
          : 'none';
  const parts: Segment[] = [
    { text: ' vigil top ', bold: true, inverse: true },
    { text: ` ${state.url}  up ${formatUptime(state.uptimeSeconds)}  ` },
    { text: state.status ?? 'status unknown', level: status, bold: true },
  ];
  if (state.series !== undefined) parts.push({ text: `  ${formatNumber(state.series)} series` });
  parts.push({ text: `  ${time} UTC  q: quit` });
  return parts;
}

function title(text: string): Line {
  return [{ text, bold: true }];
}

function row(label: string, value: string, level: Level = 'none', labelWidth = 18): Line {
  return [{ text: `  ${label.padEnd(labelWidth)} ` }, { text: value.padStart(9), level }];
}

function throughput(state: TopState): Line[] {
  const rows = state.throughput.map((r) => row(r.label, formatNumber(r.value)));
  return [title('Throughput'), ...(rows.length > 0 ? rows : [[{ text: '  no data' }]])];
}

function loss(state: TopState): Line[] {
  const rows = state.loss.map((r) => row(r.label, formatRatio(r.value), levelOf(r.value, LOSS)));
  return [title('Loss'), ...(rows.length > 0 ? rows : [[{ text: '  no data' }]])];
}

function latency(state: TopState, width: number): Line[] {
  if (state.latency.length === 0) return [title('Latency'), [{ text: '  no data' }]];
  const labelWidth = Math.max(8, Math.min(22, width - 2 - 3 * 9));
  const cell = (s: number | undefined, level: Level): Segment => ({
    text: formatSeconds(s).padStart(9),
    level,
  });
  return [
    title('Latency'),
    [{ text: `  ${''.padEnd(labelWidth)}${'p50'.padStart(9)}${'p95'.padStart(9)}${'p99'.padStart(9)}` }],
    ...state.latency.map((l): Line => {
      const t = latencyThreshold(l.label);
      return [
        { text: `  ${l.label.padEnd(labelWidth).slice(0, labelWidth)}` },
        cell(l.p50, levelOf(l.p50, t)),
        cell(l.p95, levelOf(l.p95, t)),
        cell(l.p99, levelOf(l.p99, t)),
      ];
    }),
  ];
}

function health(state: TopState): Line[] {
  if (state.health.length === 0) return [title('Health'), [{ text: '  no health checks' }]];
  const down = state.health.filter((h) => h.value === 0).length;
  return [
    title(`Health (${state.health.length - down} up, ${down} down)`),
    ...state.health.map((h) =>
      row(h.label, h.value === 1 ? 'up' : 'DOWN', h.value === 1 ? 'ok' : 'critical', 14),
    ),
  ];
}

/** Error budget left per SLO; nothing when the server has no SLOs. */
function budgets(state: TopState): Line[] {
  if (!state.slos || state.slos.length === 0) return [];
  return [
    title('Error budget left'),
    ...state.slos.map((s) =>
      row(
        s.label,
        formatRatio(s.value),
        s.value === undefined ? 'none' : s.value < 0 ? 'critical' : s.value < 0.25 ? 'warning' : 'ok',
        14,
      ),
    ),
    [],
  ];
}

function alerts(state: TopState): Line[] {
  const firing = state.alerts.filter((a) => a.state === 'firing');
  const pending = state.alerts.length - firing.length;
  const head = title(`Alerts (${firing.length} firing, ${pending} pending)`);
  if (state.alerts.length === 0) return [head, [{ text: '  none', level: 'ok' }]];
  return [
    head,
    ...[...firing, ...state.alerts.filter((a) => a.state !== 'firing')].map((a): Line => {
      const level: Level = a.state !== 'firing' ? 'none' : a.severity === 'critical' ? 'critical' : 'warning';
      return [
        { text: `  ${a.state === 'firing' ? 'FIRING ' : 'pending'} `, level },
        { text: `${a.name}`, bold: true },
        { text: a.severity ? ` [${a.severity}]` : '' },
        { text: a.summary ? `  ${a.summary}` : '' },
      ];
    }),
  ];
}

function sessions(state: TopState, width: number, room: number): Line[] {
  if (room < 2) return [];
  const head = title(`Sessions (${state.sessions.length})`);
  if (state.sessions.length === 0) return [head, [{ text: '  no streaming sessions' }]];
  const nameWidth = Math.max(10, Math.min(24, width - 2 - 4 * 11));
  const columns: Line = [
    {
      text: `  ${'session'.padEnd(nameWidth)}${'pkt/s'.padStart(11)}${'loss'.padStart(11)}${'timing p95'.padStart(11)}${'memory'.padStart(11)}`,
    },
  ];
  const fitting = Math.max(0, room - 2);
  const shown =
    state.sessions.length <= fitting ? state.sessions : state.sessions.slice(0, Math.max(0, fitting - 1));
  const rows = shown.map(
    (s): Line => [
      { text: `  ${s.name.padEnd(nameWidth).slice(0, nameWidth)}` },
      { text: formatNumber(s.packetsPerSecond).padStart(11) },
      { text: formatRatio(s.loss).padStart(11), level: levelOf(s.loss, LOSS) },
      { text: formatSeconds(s.timingErrorP95).padStart(11), level: levelOf(s.timingErrorP95, TIMING_ERROR) },
      { text: formatBytes(s.memoryBytes).padStart(11), level: levelOf(s.memoryBytes, SESSION_MEMORY) },
    ],
  );
  const hidden = state.sessions.length - shown.length;
  return [head, columns, ...rows, ...(hidden > 0 ? [[{ text: `  … ${hidden} more` }]] : [])];
}
