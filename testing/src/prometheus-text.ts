/** One sample of a scrape: a metric's name (with its `_bucket`/`_count`/`_sum` suffix), its labels, its value. */
export type Sample = { name: string; labels: Readonly<Record<string, string>>; value: number }

const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/
const labelPair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

/** Parses Prometheus's text exposition format (comments and blank lines skipped). Throws on a malformed line. */
export const parsePrometheusText = (text: string): Sample[] =>
  text
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = sampleLine.exec(line.trim())
      if (match === null) throw new Error(`not a Prometheus sample: ${line}`)
      const [, name = '', labelText = '', value = ''] = match
      const labels = Object.fromEntries(
        [...labelText.matchAll(labelPair)].map(([, key = '', raw = '']) => [key, unescapeLabel(raw)]),
      )
      return { name, labels, value: Number(value) }
    })

const unescapeLabel = (raw: string) =>
  raw.replace(/\\(.)/g, (_, escaped: string) => (escaped === 'n' ? '\n' : escaped))

/**
 * The sum of the samples named `name` whose labels include `labels` (all of a counter's series, or one); `undefined`
 * when there is no such sample.
 */
export const metricValue = (
  samples: readonly Sample[],
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number | undefined => {
  const matching = samples.filter(
    (sample) =>
      sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  )
  return matching.length === 0 ? undefined : matching.reduce((sum, sample) => sum + sample.value, 0)
}

/** Scrapes `<base>/metrics` of a service. */
export const scrapeMetrics = async (base: string): Promise<Sample[]> => {
  const response = await fetch(`${base}/metrics`)
  if (!response.ok) throw new Error(`GET ${base}/metrics answered ${response.status}`)
  return parsePrometheusText(await response.text())
}
