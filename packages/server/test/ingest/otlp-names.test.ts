import { describe, expect, it } from 'vitest';
import { prometheusLabelName, prometheusMetricName } from '../../src/ingest/otlp-names.js';

// Cases and expected names from Prometheus's OTLP translator tests (normalize_name_test.go).
describe('prometheusMetricName', () => {
  it.each([
    ['system.filesystem.usage', 'By', 'gauge', 'system_filesystem_usage_bytes'],
    ['system.io', 'By', 'counter', 'system_io_bytes_total'],
    ['network_transmitted_bytes_total', 'By', 'counter', 'network_transmitted_bytes_total'],
    ['\t system.filesystem.usage       ', '  By\t', 'gauge', 'system_filesystem_usage_bytes'],
    ['system.network.dropped', '{packets}', 'gauge', 'system_network_dropped'],
    ['system.network.dropped', '{packets}', 'counter', 'system_network_dropped_total'],
    ['system.network.dropped', 'packets', 'gauge', 'system_network_dropped_packets'],
    ['system.network.packets.dropped', 'packets', 'gauge', 'system_network_packets_dropped'],
    ['hw.gpu.memory.utilization', '1', 'gauge', 'hw_gpu_memory_utilization_ratio'],
    ['hw.fan.speed_ratio', '1', 'gauge', 'hw_fan_speed_ratio'],
    ['objects', '1', 'counter', 'objects_total'],
    ['hw.cpu.speed_limit', 'Hz', 'gauge', 'hw_cpu_speed_limit_hertz'],
    ['broken.metric.speed', 'km/h', 'gauge', 'broken_metric_speed_km_per_hour'],
    ['astro.light.speed_limit', 'm/s', 'gauge', 'astro_light_speed_limit_meters_per_second'],
    ['broken.metric.success_ratio', '%', 'gauge', 'broken_metric_success_ratio_percent'],
    ['broken.metric.success_percent', '%', 'gauge', 'broken_metric_success_percent'],
    ['test.metric.no_unit', '', 'gauge', 'test_metric_no_unit'],
    ['test.metric.spaces', '   \t  ', 'gauge', 'test_metric_spaces'],
    ['unsupported.metric.temperature', '°F', 'gauge', 'unsupported_metric_temperature_F'],
    ['unsupported.metric.weird', '+=.:,!* & #', 'gauge', 'unsupported_metric_weird'],
    [
      'unsupported.metric.redundant_total',
      '__test $/°C',
      'counter',
      'unsupported_metric_redundant_test_per_C_total',
    ],
    [
      'active_directory.ds.replication.network.io',
      'By',
      'counter',
      'active_directory_ds_replication_network_io_bytes_total',
    ],
    [
      'active_directory.ds.replication.object.rate',
      '{objects}/s',
      'gauge',
      'active_directory_ds_replication_object_rate_per_second',
    ],
    ['apache.current_connections', 'connections', 'gauge', 'apache_current_connections'],
    ['nginx.connections_accepted', 'connections', 'counter', 'nginx_connections_accepted_total'],
    ['http.server.requests', '{request}', 'counter', 'http_server_requests_total'],
    ['http.server.request.duration', 's', 'other', 'http_server_request_duration_seconds'],
    ['2xx.responses', '', 'gauge', '_2xx_responses'],
  ] as const)('%s [%s] as a %s is %s', (name, unit, kind, expected) => {
    expect(prometheusMetricName(name, unit, kind)).toBe(expected);
  });
});

describe('prometheusLabelName', () => {
  it.each([
    ['http.route', 'http_route'],
    ['service.instance.id', 'service_instance_id'],
    ['0xyz', 'key_0xyz'],
    ['_test', 'key_test'],
    ['__test', '__test'],
    ['label:with:colons', 'label_with_colons'],
  ])('%s is %s', (key, expected) => {
    expect(prometheusLabelName(key)).toBe(expected);
  });
});
