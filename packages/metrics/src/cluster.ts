/** @vigil/metrics/cluster: one exposition for the workers of node:cluster or worker_threads. */
export type { ClusterRegistryOptions, ClusterWorkerStatus } from './cluster/cluster-registry.js';
export { ClusterRegistry } from './cluster/cluster-registry.js';
export type { ClusterWorkerOptions } from './cluster/cluster-worker.js';
export { ClusterWorker } from './cluster/cluster-worker.js';
export type { GaugeAggregation } from './cluster/gauge-aggregation.js';
