// Uploads one file to a benchproof server with tus-js-client, an independent tus client.
// tus-js-client knows nothing of RFC 9421, so each request is signed in onBeforeRequest, with
// Node's own Ed25519, exactly as docs/sync-protocol.md says.
//
// usage: node upload.mjs ENDPOINT FILE STATION_KEY.pk8 ENROLMENT.json SHA256_HEX ASSESSMENT_ID CHUNK_BYTES
// prints one JSON line: {"ok":true,"url":…,"receipt":…} or {"ok":false,"error":…}
import { createPrivateKey, randomBytes, sign } from 'node:crypto';
import { readFileSync, statSync, createReadStream } from 'node:fs';
import { Upload } from 'tus-js-client';

const [endpoint, file, keyFile, enrolmentFile, sha256, assessment, chunk] = process.argv.slice(2);
const key = createPrivateKey({ key: readFileSync(keyFile), format: 'der', type: 'pkcs8' });
// The station's did:key is passed in the enrolment (its subject).
const enrolment = readFileSync(enrolmentFile);
const did = JSON.parse(enrolment).subject;
const enrolmentHeader = enrolment.toString('base64url');
const SIGNED = ['upload-offset', 'upload-length', 'upload-checksum', 'upload-metadata'];

function signRequest(req) {
  const covered = ['"@method"', '"@target-uri"'];
  const lines = [`"@method": ${req.getMethod()}`, `"@target-uri": ${req.getURL()}`];
  for (const name of SIGNED) {
    const value = req.getHeader(name) ?? req.getHeader(name.replace(/(^|-)./g, (s) => s.toUpperCase()));
    if (value !== undefined && value !== null) {
      covered.push(`"${name}"`);
      lines.push(`"${name}": ${String(value).trim()}`);
    }
  }
  const created = Math.floor(Date.now() / 1000);
  const nonce = randomBytes(16).toString('hex');
  const params = `(${covered.join(' ')});created=${created};nonce="${nonce}";keyid="${did}";alg="ed25519"`;
  lines.push(`"@signature-params": ${params}`);
  const signature = sign(null, Buffer.from(lines.join('\n')), key).toString('base64');
  req.setHeader('Signature-Input', `bp=${params}`);
  req.setHeader('Signature', `bp=:${signature}:`);
  req.setHeader('Benchproof-Enrolment', enrolmentHeader);
}

let receipt = null;
const upload = new Upload(createReadStream(file), {
  endpoint,
  uploadSize: statSync(file).size,
  chunkSize: Number(chunk),
  retryDelays: [],
  metadata: { filename: `benchproof-${assessment}.zip`, sha256, assessment },
  onBeforeRequest: signRequest,
  onAfterResponse: (_req, res) => {
    const r = res.getHeader('Benchproof-Receipt');
    if (r) receipt = r;
  },
  onError: (error) => {
    process.stdout.write(JSON.stringify({ ok: false, error: String(error) }) + '\n');
    process.exit(1);
  },
  onSuccess: () => {
    process.stdout.write(JSON.stringify({ ok: true, url: upload.url, receipt }) + '\n');
  },
});
upload.start();
