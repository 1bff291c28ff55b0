/**
 * Rich text (`editor` fields) as plain text, for the table's cells: the tags are skipped and a
 * few entities decoded, without parsing the HTML. NOTE: parsing stored HTML, even in an inert
 * document, makes Chromium report every inline event handler it meets as a CSP violation; a
 * cell needs only the text, and this is cheaper on 10,000 rows.
 */

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

/** The text of an HTML fragment, whitespace collapsed. */
export function htmlToText(html: string): string {
  let out = '';
  let inTag = false;
  for (let i = 0; i < html.length; i++) {
    const c = html[i]!;
    if (inTag) {
      if (c === '>') {
        inTag = false;
        out += ' ';
      }
    } else if (c === '<') {
      inTag = true;
    } else if (c === '&') {
      const end = html.indexOf(';', i);
      const name = end > i && end - i <= 6 ? html.slice(i + 1, end) : '';
      const decoded = ENTITIES[name];
      if (decoded !== undefined) {
        out += decoded;
        i = end;
      } else {
        out += c;
      }
    } else {
      out += c;
    }
  }
  return out.split(/\s+/).filter(Boolean).join(' ');
}
