/** Seconds as a short duration: 420µs, 12.3ms, 2.31s. */
export function formatSeconds(s: number | undefined): string {
  if (s === undefined) return '–';
  if (s < 0.001) return `${Math.round(s * 1e6)}µs`;
  if (s < 1) return `${(s * 1000).toFixed(s < 0.01 ? 2 : 1)}ms`;
  return `${s.toFixed(2)}s`;
}

/** A rate or a count: 3.2, 412, 12.4k, 3.1M. */
export function formatNumber(n: number | undefined): string {
  if (n === undefined) return '–';
  const abs = Math.abs(n);
  if (abs >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (abs >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  if (abs >= 100) return n.toFixed(0);
  return n.toFixed(abs >= 10 ? 1 : 2);
}

export function formatRatio(r: number | undefined): string {
  return r === undefined ? '–' : `${(r * 100).toFixed(r < 0.1 ? 2 : 1)}%`;
}

export function formatBytes(b: number | undefined): string {
  if (b === undefined) return '–';
  if (b >= 1024 ** 3) return `${(b / 1024 ** 3).toFixed(1)} GB`;
  if (b >= 1024 ** 2) return `${(b / 1024 ** 2).toFixed(1)} MB`;
  return `${(b / 1024).toFixed(0)} kB`;
}

/** 3d04h, 2h05m, 4m12s, 9s. */
export function formatUptime(seconds: number | undefined): string {
  if (seconds === undefined) return '–';
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (d > 0) return `${d}d${pad(h)}h`;
  if (h > 0) return `${h}h${pad(m)}m`;
  if (m > 0) return `${m}m${pad(s % 60)}s`;
  return `${s}s`;
}
