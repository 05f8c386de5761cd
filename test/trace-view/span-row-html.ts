/** The HTML of one span's row in the trace view's page: from its element (id = span id) to the next row. */
export function spanRowHtml(html: string, spanId: string): string {
  const from = html.indexOf(`id="${spanId}"`);
  if (from === -1) return '';
  const to = html.indexOf('<div class="span ', from);
  return html.slice(from, to === -1 ? undefined : to);
}
