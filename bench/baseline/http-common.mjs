/**
 * What both raw baseline servers share: minimal JSON HTTP plumbing and the record
 * JSON shape. Kept deliberately plain: the baselines measure the raw limit.
 */

export class HttpError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

export function send(res, status, body) {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

export function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > 1 << 20) reject(new HttpError(413, 'Request entity too large.'));
      else chunks.push(chunk);
    });
    req.on('end', () => {
      try {
        resolve(chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {});
      } catch {
        reject(new HttpError(400, 'Invalid JSON body.'));
      }
    });
    req.on('error', reject);
  });
}

export function toJson(c, row) {
  const out = { collectionId: c.id, collectionName: c.name };
  for (const f of c.fields) {
    if (f.type === 'password' || f.hidden) continue;
    if (c.type === 'auth' && f.name === 'email' && !row.emailVisibility) continue;
    out[f.name] = f.type === 'bool' ? row[f.name] === 1 || row[f.name] === true : row[f.name];
  }
  return out;
}
