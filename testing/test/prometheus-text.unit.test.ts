import { describe, expect, it } from 'vitest'
import { metricValue, parsePrometheusText } from '../src/prometheus-text.ts'

const scrape = `# HELP jetnotes_appends_total Appends
# TYPE jetnotes_appends_total counter
jetnotes_appends_total{stream="NOTES",outcome="appended"} 7
jetnotes_appends_total{stream="NOTES",outcome="duplicate"} 1
jetnotes_appends_total{stream="USERS",outcome="appended"} 2

jetnotes_http_request_duration_seconds_bucket{le="+Inf",route="/notes/:id",method="GET"} 3
jetnotes_label_escapes{text="a \\"quoted\\" \\\\ word"} 1 1700000000000
process_resident_memory_bytes 52428800
`

describe('a scrape in Prometheus text format', () => {
  const samples = parsePrometheusText(scrape)

  it('is read sample by sample, comments and blank lines skipped', () => {
    expect(samples).toHaveLength(6)
    expect(samples[0]).toEqual({
      name: 'jetnotes_appends_total',
      labels: { stream: 'NOTES', outcome: 'appended' },
      value: 7,
    })
    expect(samples[3]?.labels).toEqual({ le: '+Inf', route: '/notes/:id', method: 'GET' })
  })

  it('unescapes label values and ignores timestamps', () => {
    expect(samples[4]).toEqual({
      name: 'jetnotes_label_escapes',
      labels: { text: 'a "quoted" \\ word' },
      value: 1,
    })
  })

  it('sums the series whose labels include those asked for', () => {
    expect(metricValue(samples, 'jetnotes_appends_total')).toBe(10)
    expect(metricValue(samples, 'jetnotes_appends_total', { stream: 'NOTES' })).toBe(8)
    expect(metricValue(samples, 'jetnotes_appends_total', { outcome: 'appended', stream: 'USERS' })).toBe(2)
    expect(metricValue(samples, 'process_resident_memory_bytes')).toBe(52_428_800)
  })

  it('says when there is no such sample', () => {
    expect(metricValue(samples, 'jetnotes_appends_total', { stream: 'NOWHERE' })).toBeUndefined()
    expect(metricValue(samples, 'jetnotes_missing')).toBeUndefined()
  })

  it('refuses a line that is not a sample', () => {
    expect(() => parsePrometheusText('this is not { a sample')).toThrow(/not a Prometheus sample/)
  })
})
