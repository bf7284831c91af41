import { Counter, Gauge, type Registry } from 'prom-client';
import type { ConnectionHub } from './hub.js';

/** The gateway's Prometheus metrics. */
export interface GatewayMetrics {
  openSockets: Gauge;
  framesSent: Counter;
}

/**
 * Registers the open-socket gauge (read from the hub at scrape time) and the sent-frame counter,
 * or reuses them when this registry already has them (an app built twice on one container).
 */
export function createGatewayMetrics(registry: Registry, hub: ConnectionHub): GatewayMetrics {
  registry.removeSingleMetric('ws_connections_open');
  const openSockets = new Gauge({
    name: 'ws_connections_open',
    help: 'Open WebSocket connections on this process',
    registers: [registry],
    collect() {
      this.set(hub.size);
    },
  });
  const existing = registry.getSingleMetric('ws_frames_sent_total');
  const framesSent =
    existing instanceof Counter
      ? existing
      : new Counter({
          name: 'ws_frames_sent_total',
          help: 'WebSocket frames sent to clients by this process',
          registers: [registry],
        });
  return { openSockets, framesSent };
}
