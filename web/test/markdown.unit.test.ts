import { describe, expect, it } from 'vitest'
import { renderMarkdown } from '../app/logic/markdown.ts'

describe('markdown rendered for a preview', () => {
  it('renders the usual markdown', () => {
    expect(renderMarkdown('# Title\n\n*milk* and **eggs**')).toBe(
      '<h1>Title</h1>\n<p><em>milk</em> and <strong>eggs</strong></p>\n',
    )
  })

  it('escapes a script instead of running it', () => {
    const html = renderMarkdown('<script>alert(1)</script>')
    expect(html).not.toContain('<script')
    expect(html).toContain('&lt;script&gt;')
  })

  it('escapes raw HTML with event handlers', () => {
    const html = renderMarkdown('<img src=x onerror="alert(1)">\n\n<a href="javascript:alert(1)">x</a>')
    expect(html).not.toMatch(/<img|<a /)
  })

  it('does not turn javascript:, vbscript: or data: URLs into links, whatever their spelling', () => {
    for (const url of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      '&#106;avascript:alert(1)',
      'vbscript:x',
      'data:text/html,<b>x</b>',
    ]) {
      expect(renderMarkdown(`[click](${url})`)).not.toContain('<a ')
    }
    expect(renderMarkdown('<javascript:alert(1)>')).not.toContain('<a ')
  })

  it('opens links without giving them this page', () => {
    expect(renderMarkdown('[docs](https://example.com)')).toBe(
      '<p><a href="https://example.com" rel="noopener noreferrer">docs</a></p>\n',
    )
    expect(renderMarkdown('see https://example.com')).toContain('rel="noopener noreferrer"')
  })

  it('shows images as text, so no third party is called', () => {
    expect(renderMarkdown('![pixel](https://tracker.example/p.png)')).not.toContain('<img')
  })
})
