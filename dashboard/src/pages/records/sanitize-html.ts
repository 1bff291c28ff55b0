/**
 * The rich text editor's sanitizer (docs/dashboard.md, "Records"): the HTML of an `editor` field
 * is parsed in an inert document (DOMParser runs no script and loads nothing) and rebuilt from
 * an allow-list — paragraphs, line breaks, bold, italic, links and lists, with no attribute but
 * a link's http(s)/mailto `href`. Everything else keeps its text and loses its markup.
 * SECURITY: the output is built node by node, never copied, so no attribute or tag outside the
 * list can survive; it is what the editor shows and what it saves.
 */

/** Allowed tags, by the tag they become (b → strong, i → em, div → p, h1-h6 → p). */
const TAGS: Record<string, string> = {
  P: 'p', DIV: 'p', H1: 'p', H2: 'p', H3: 'p', H4: 'p', H5: 'p', H6: 'p', BLOCKQUOTE: 'p',
  BR: 'br', B: 'strong', STRONG: 'strong', I: 'em', EM: 'em', A: 'a', UL: 'ul', OL: 'ol', LI: 'li',
};
/** Tags dropped with everything inside them. */
const DROPPED = new Set(['SCRIPT', 'STYLE', 'TEMPLATE', 'IFRAME', 'OBJECT', 'EMBED', 'NOSCRIPT', 'SVG', 'MATH', 'HEAD', 'TITLE']);

/** The URL a link may keep: http, https and mailto only; anything else drops the link. */
export function safeLinkUrl(raw: string): string | null {
  try {
    const url = new URL(raw.trim(), 'https://invalid.example/');
    if (!['http:', 'https:', 'mailto:'].includes(url.protocol)) return null;
    // A relative href would resolve against our placeholder base: keep only absolute ones.
    return url.origin === 'https://invalid.example' && url.protocol === 'https:' ? null : url.href;
  } catch {
    return null;
  }
}

/** The sanitized form of an HTML fragment. */
export function sanitizeHtml(html: string): string {
  const source = new DOMParser().parseFromString(html, 'text/html').body;
  const out = document.implementation.createHTMLDocument('');
  const root = out.createElement('div');
  copyChildren(source, root, out);
  return root.innerHTML;
}

function copyChildren(from: Node, to: Element, doc: Document): void {
  for (const node of Array.from(from.childNodes)) {
    if (node.nodeType === Node.TEXT_NODE) {
      to.appendChild(doc.createTextNode(node.textContent ?? ''));
      continue;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) continue;
    const element = node as Element;
    if (DROPPED.has(element.tagName)) continue;
    const tag = TAGS[element.tagName];
    if (!tag) {
      copyChildren(element, to, doc);
      continue;
    }
    const copy = doc.createElement(tag);
    if (tag === 'a') {
      const href = safeLinkUrl(element.getAttribute('href') ?? '');
      if (!href) {
        copyChildren(element, to, doc);
        continue;
      }
      copy.setAttribute('href', href);
      copy.setAttribute('rel', 'noopener noreferrer');
    }
    copyChildren(element, copy, doc);
    to.appendChild(copy);
  }
}
