import { describe, expect, it } from 'vitest'
import { ServiceMetrics } from '../src/observability/metrics.ts'

describe('the metrics of a service', () => {
  it('refuses a metric not named jetnotes_*', () => {
    expect(() => new ServiceMetrics().counter({ name: 'appends_total', help: 'Appends' })).toThrow(
      /jetnotes_/,
    )
  })

  it('serves its own metrics and the process figures, with their help text', async () => {
    const metrics = new ServiceMetrics()
    metrics.counter({ name: 'jetnotes_things_total', help: 'Things that happened' }).inc(3)
    const text = await metrics.scrape()
    expect(text).toContain('# HELP jetnotes_things_total Things that happened')
    expect(text).toContain('jetnotes_things_total 3')
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m)
    expect(metrics.names()).toContain('jetnotes_things_total')
    expect(metrics.names()).toContain('jetnotes_http_request_duration_seconds')
    expect(metrics.names()).toContain('process_resident_memory_bytes')
  })

  it('keeps the figures of two services in one process apart', async () => {
    const one = new ServiceMetrics()
    const other = new ServiceMetrics()
    one.counter({ name: 'jetnotes_things_total', help: 'Things' }).inc()
    other.counter({ name: 'jetnotes_things_total', help: 'Things' }).inc(5)
    expect(await one.scrape()).toContain('jetnotes_things_total 1\n')
    expect(await other.scrape()).toContain('jetnotes_things_total 5\n')
  })

  it('refreshes its gauges at each scrape, and answers with the last values when a refresh fails', async () => {
    const metrics = new ServiceMetrics()
    const gauge = metrics.gauge({ name: 'jetnotes_level', help: 'A level read elsewhere' })
    let reading: () => number = () => 7
    metrics.onScrape(() => gauge.set(reading()))
    expect(await metrics.scrape()).toContain('jetnotes_level 7\n')
    reading = () => {
      throw new Error('the source is away')
    }
    expect(await metrics.scrape()).toContain('jetnotes_level 7\n')
  })
})
