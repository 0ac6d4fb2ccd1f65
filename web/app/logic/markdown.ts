import MarkdownIt from 'markdown-it'

/**
 * Markdown as HTML that is safe to insert: raw HTML is escaped (`html: false`), links with a scheme other than
 * http(s), mailto and the like (`javascript:`, `vbscript:`, `data:`) stay text (markdown-it's validateLink),
 * and links never hand this page to the one they open. Images are off: a note shared with someone must not
 * make their browser call a third party.
 */
const markdown = new MarkdownIt({ html: false, linkify: true, typographer: false }).disable('image')

const renderLinkOpen = markdown.renderer.rules.link_open
markdown.renderer.rules.link_open = (tokens, index, options, env, renderer) => {
  tokens[index]?.attrSet('rel', 'noopener noreferrer')
  return renderLinkOpen === undefined
    ? renderer.renderToken(tokens, index, options)
    : renderLinkOpen(tokens, index, options, env, renderer)
}

export const renderMarkdown = (text: string): string => markdown.render(text)
