/** Saves `value` as a pretty-printed JSON file through the browser's download. */
export function downloadJson(filename: string, value: unknown): void {
  const url = URL.createObjectURL(new Blob([JSON.stringify(value, null, 2)], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.click();
  // NOTE: revoked on the next tick, after the click has started the download.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
