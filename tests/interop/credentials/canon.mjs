// The RDFC-1.0 reference: reads a JSON array of {name, document, safe} on stdin and prints a
// JSON array of {name, nquads} or {name, error} computed by jsonld.js 9 + rdf-canonize 5.
import jsonld from 'jsonld';
import {documentLoader} from './loader.mjs';

const input = JSON.parse(await new Promise(resolve => {
  let text = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', chunk => text += chunk);
  process.stdin.on('end', () => resolve(text));
}));
const out = [];
for(const {name, document, safe} of input) {
  try {
    const nquads = await jsonld.canonize(document, {
      algorithm: 'RDFC-1.0', format: 'application/n-quads', documentLoader, safe: !!safe
    });
    out.push({name, nquads});
  } catch(e) {
    out.push({name, error: String(e && (e.details?.code || e.name)) + ': ' + e.message});
  }
}
process.stdout.write(JSON.stringify(out));
