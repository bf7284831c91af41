import { Counter, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMetricsServer, type MetricsServer } from './metrics-server.js';

describe('the metrics listener of a process without the api role', () => {
  const registry = new Registry();
  let server: MetricsServer;

  beforeAll(async () => {
    new Counter({ name: 'ttb_example_total', help: 'An example', registers: [registry] }).inc(3);
    server = await startMetricsServer(registry, { port: 0, host: '127.0.0.1' });
  });
  afterAll(() => server.close());

  it('serves the process’s metrics at /metrics in the Prometheus text format', async () => {
    const response = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(await response.text()).toMatch(/^ttb_example_total 3$/m);
  });

  it('serves nothing else', async () => {
    expect((await fetch(`http://127.0.0.1:${server.port}/`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${server.port}/api/v1/tickets`)).status).toBe(404);
  });
});
