import { readFileSync } from 'node:fs'
import { commandMetrics } from '@jetnotes/command-service'
import { projectorMetrics } from '@jetnotes/projector'
import { queryMetrics } from '@jetnotes/query-service'
import { describe, expect, it } from 'vitest'

const observability = new URL('../../docs/observability/', import.meta.url)
const dashboard = JSON.parse(readFileSync(new URL('grafana/jetnotes.json', observability), 'utf8')) as {
  uid: string
  panels: { id: number; title: string; datasource: { uid: string }; targets: { expr: string }[] }[]
}

/** Every metric a service serves: its own, the HTTP histogram, the process's. */
const defined = new Set([
  ...commandMetrics().registry.names(),
  ...queryMetrics().registry.names(),
  ...projectorMetrics().registry.names(),
])

/** The metric names a PromQL expression reads (a histogram's series by their metric's name). */
const metricsOf = (expr: string) =>
  [...expr.matchAll(/\b(?:jetnotes|process|nodejs)_[a-z0-9_]+\b/g)].map(([name]) => name)
const isDefined = (name: string) => defined.has(name) || defined.has(name.replace(/_(bucket|count|sum)$/, ''))

describe('the Grafana dashboard', () => {
  const exprs = dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr))

  it('has panels, each with a query', () => {
    expect(dashboard.uid).toBe('jetnotes')
    expect(dashboard.panels.length).toBeGreaterThan(5)
    expect(new Set(dashboard.panels.map((panel) => panel.id)).size).toBe(dashboard.panels.length)
    for (const panel of dashboard.panels) expect(panel.targets.length, panel.title).toBeGreaterThan(0)
  })

  it('reads only metrics the services define', () => {
    for (const expr of exprs) {
      expect(metricsOf(expr).length, expr).toBeGreaterThan(0)
      for (const name of metricsOf(expr)) expect(isDefined(name), `${name} in ${expr}`).toBe(true)
    }
  })

  it('shows the write rate, the p99s, the lag, the live clients and the conflicts', () => {
    const read = new Set(exprs.flatMap(metricsOf))
    for (const name of [
      'jetnotes_appends_total',
      'jetnotes_http_request_duration_seconds_bucket',
      'jetnotes_append_duration_seconds_bucket',
      'jetnotes_projection_lag_events',
      'jetnotes_projection_lag_seconds',
      'jetnotes_live_connections',
      'jetnotes_command_conflicts_total',
    ])
      expect(read.has(name), name).toBe(true)
  })

  it('queries the data source Grafana is provisioned with', () => {
    const provisioned = readFileSync(
      new URL('grafana/provisioning/datasources/prometheus.yaml', observability),
      'utf8',
    )
    const uid = /^\s*uid:\s*(\S+)\s*$/m.exec(provisioned)?.[1]
    for (const panel of dashboard.panels) expect(panel.datasource.uid, panel.title).toBe(uid)
  })
})
