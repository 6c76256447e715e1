/** @vigil/metrics/health: health checks of dependencies, the health document, runtime and system metrics. */
export type { ApiKeyStatus } from './health/api-key-status.js';
export { apiKeyStatus } from './health/api-key-status.js';
export type { CheckDetails, CheckFn, CheckOutcome, CheckResult } from './health/health-check.js';
export type { HealthDocument, HealthDocumentEntry, HealthDocumentOptions } from './health/health-document.js';
export { formatUptime, toHealthDocument } from './health/health-document.js';
export type { HealthCheckOptions, HealthMonitorOptions } from './health/health-monitor.js';
export { HealthMonitor } from './health/health-monitor.js';
export type { HealthReport, HealthReportAlert, HealthReportEntry } from './health/health-report.js';
export type { CheckKind, CheckStatus, HealthState } from './health/health-status.js';
export type { HttpCheckOptions } from './health/http-check.js';
export { httpCheck } from './health/http-check.js';
export type { RuntimeMetrics, RuntimeMetricsOptions } from './health/runtime-metrics.js';
export { collectRuntimeMetrics } from './health/runtime-metrics.js';
export type { DiskUsage, SystemUsageOptions, SystemUsageSample } from './health/system-usage.js';
export { SystemUsage } from './health/system-usage.js';
export type { TcpCheckOptions } from './health/tcp-check.js';
export { tcpCheck } from './health/tcp-check.js';
