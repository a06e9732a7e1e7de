// Verifies credentials with Digital Bazaar's stack (@digitalbazaar/vc, data-integrity,
// eddsa-rdfc-2022-cryptosuite), contexts offline.
// Usage: node verify.mjs [--did-document DID.json]... FILE.json...
// A `--did-document` (e.g. a department server's /.well-known/did.json) lets the offline loader
// resolve that DID (did:web) and its verification methods; did:key needs none.
// Prints one JSON line per credential file: {file, verified, error}.
import {readFileSync} from 'node:fs';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {addDidDocument, documentLoader} from './loader.mjs';

const files = [];
const args = process.argv.slice(2);
for(let i = 0; i < args.length; i++) {
  if(args[i] === '--did-document') {
    const file = args[++i];
    if(!file) {
      throw new Error('--did-document needs a file');
    }
    addDidDocument(JSON.parse(readFileSync(file, 'utf8')));
  } else {
    files.push(args[i]);
  }
}

const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
for(const file of files) {
  const credential = JSON.parse(readFileSync(file, 'utf8'));
  const result = await vc.verifyCredential({
    credential, suite, documentLoader,
    checkStatus: async () => ({verified: true})
  });
  const error = result.error ? String(result.error.errors?.[0]?.message || result.error.message) : null;
  process.stdout.write(JSON.stringify({file, verified: result.verified, error}) + '\n');
}
