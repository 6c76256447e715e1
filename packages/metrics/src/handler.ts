/** @vigil/metrics/handler: the store-free part of vigil's HTTP API as one handler for http, Express or Fastify. */
export type { MetricsHandlerOptions, MetricsSource } from './handler/metrics-handler.js';
export { metricsHandler } from './handler/metrics-handler.js';
