import {
  Counter,
  type CounterConfiguration,
  collectDefaultMetrics,
  Gauge,
  type GaugeConfiguration,
  Histogram,
  type HistogramConfiguration,
  Registry,
} from 'prom-client'

/** What every jetnotes metric is named with, so an operator finds them all together. */
export const metricPrefix = 'jetnotes_'

/** Latency buckets in seconds: a millisecond up to ten seconds (a NATS round trip is about 0.2 ms locally). */
export const latencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

type Named = { name: string; help: string }

/**
 * The process's own figures (memory, CPU, event loop delay, garbage collection, open handles), under the names
 * Node dashboards know (`process_*`, `nodejs_*`). One registry per process: in tests several services share a
 * process, and each would otherwise start its own event-loop monitor and GC observer.
 */
let processRegistry: Registry | undefined
const processMetrics = () => {
  if (processRegistry === undefined) {
    processRegistry = new Registry()
    collectDefaultMetrics({ register: processRegistry })
  }
  return processRegistry
}

/**
 * The Prometheus metrics of one service: its own registry (so services started in one test process keep their
 * figures apart), served with the process's figures by `registerMetricsRoute` at `/metrics`. Metrics are
 * created through it, named `jetnotes_*`; figures read from elsewhere (a consumer's info) rather than counted
 * as things happen are refreshed by `onScrape`, once per scrape, never per request.
 */
export class ServiceMetrics {
  readonly registry = new Registry()
  readonly #refreshers: (() => Promise<void> | void)[] = []
  /** Every HTTP request, measured by the platform's HTTP base (see `registerMetrics`). */
  readonly httpRequests = this.histogram({
    name: 'jetnotes_http_request_duration_seconds',
    help: 'Time from a request to the end of its response, by method, route pattern and status; its _count is the number of requests (event streams are left out: they last as long as the client stays)',
    labelNames: ['method', 'route', 'status'],
  })

  counter<Label extends string = never>(config: CounterConfiguration<Label> & Named): Counter<Label> {
    return new Counter({ ...prefixed(config), registers: [this.registry] })
  }

  gauge<Label extends string = never>(config: GaugeConfiguration<Label> & Named): Gauge<Label> {
    return new Gauge({ ...prefixed(config), registers: [this.registry] })
  }

  histogram<Label extends string = never>(config: HistogramConfiguration<Label> & Named): Histogram<Label> {
    return new Histogram({ buckets: latencyBuckets, ...prefixed(config), registers: [this.registry] })
  }

  /**
   * Runs `refresh` before each scrape (all of them at once): for gauges read from NATS or another component. A
   * refresh that fails leaves its gauges as they were (it reports why itself): the scrape still answers.
   */
  onScrape(refresh: () => Promise<void> | void): void {
    this.#refreshers.push(refresh)
  }

  /** The service's metrics and the process's, in Prometheus's text format. */
  async scrape(): Promise<string> {
    await Promise.allSettled(this.#refreshers.map(async (refresh) => refresh()))
    const [own, process] = await Promise.all([this.registry.metrics(), processMetrics().metrics()])
    return `${own}\n${process}`
  }

  /** The names of the metrics this service serves, the process's included (the dashboard's check). */
  names(): string[] {
    return [this.registry, processMetrics()].flatMap((registry) =>
      registry.getMetricsAsArray().map((metric) => metric.name),
    )
  }

  get contentType(): string {
    return this.registry.contentType
  }
}

const prefixed = <Config extends Named>(config: Config): Config => {
  if (!config.name.startsWith(metricPrefix)) {
    throw new Error(`metric ${config.name} must be named ${metricPrefix}*`)
  }
  return config
}
