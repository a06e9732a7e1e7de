// Verifies credentials with Digital Bazaar's stack (@digitalbazaar/vc, data-integrity,
// eddsa-rdfc-2022-cryptosuite), contexts offline. Usage: node verify.mjs FILE.json...
// Prints one JSON line per file: {file, verified, error}.
import {readFileSync} from 'node:fs';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {documentLoader} from './loader.mjs';

const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
for(const file of process.argv.slice(2)) {
  const credential = JSON.parse(readFileSync(file, 'utf8'));
  const result = await vc.verifyCredential({
    credential, suite, documentLoader,
    checkStatus: async () => ({verified: true})
  });
  const error = result.error ? String(result.error.errors?.[0]?.message || result.error.message) : null;
  process.stdout.write(JSON.stringify({file, verified: result.verified, error}) + '\n');
}
