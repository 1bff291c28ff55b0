/**
 * Provider logos for sign-in buttons (docs/api.md §2, §5.2): small SVG badges with
 * the provider's colour and initials. NOTE: brand marks are trademarks whose
 * artwork Plinth does not ship; a UI may draw its own by provider name.
 */

/** An SVG badge: a rounded square in `color` with `text` centred in white. */
export function badgeLogo(text: string, color: string): string {
  const size = text.length > 1 ? 11 : 15;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="24" height="24">`
    + `<rect width="24" height="24" rx="5" fill="${color}"/>`
    + `<text x="12" y="12" dy="0.35em" text-anchor="middle" font-family="Arial,Helvetica,sans-serif" font-weight="bold" font-size="${size}" fill="#ffffff">${text}</text>`
    + `</svg>`;
}
