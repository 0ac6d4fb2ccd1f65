/** How long ago a note changed, in words for a list ("just now", "5 min ago", else the date). */
export const updatedTimeText = (iso: string, now: number, locale?: string): string => {
  const then = Date.parse(iso)
  if (Number.isNaN(then)) return ''
  const seconds = Math.max(0, Math.round((now - then) / 1000))
  if (seconds < 60) return 'just now'
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`
  return new Date(then).toLocaleDateString(locale, { year: 'numeric', month: 'short', day: 'numeric' })
}
