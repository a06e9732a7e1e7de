// Sign + verify throughput of Digital Bazaar's stack. Usage:
//   node bench.mjs UNSIGNED.json SECONDS
// Prints {"ops": N, "seconds": S} where one op is one issue and one verify.
import {readFileSync} from 'node:fs';
import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {documentLoader} from './loader.mjs';

const [file, seconds] = process.argv.slice(2);
const keyPair = await Ed25519Multikey.generate({seed: new Uint8Array(32).fill(9)});
const did = `did:key:${keyPair.publicKeyMultibase}`;
keyPair.controller = did;
keyPair.id = `${did}#${keyPair.publicKeyMultibase}`;
const unsigned = JSON.parse(readFileSync(file, 'utf8'));
unsigned.issuer.id = did;
const signSuite = new DataIntegrityProof({signer: keyPair.signer(), cryptosuite: eddsaRdfc2022CryptoSuite});
const verifySuite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
const once = async () => {
  const signed = await vc.issue({credential: structuredClone(unsigned), suite: signSuite, documentLoader});
  const result = await vc.verifyCredential({credential: signed, suite: verifySuite, documentLoader,
    checkStatus: async () => ({verified: true})});
  if(!result.verified) {
    throw result.error;
  }
};
await once();
const start = process.hrtime.bigint();
const limit = Number(seconds) * 1e9;
let ops = 0;
while(Number(process.hrtime.bigint() - start) < limit) {
  await once();
  ops++;
}
process.stdout.write(JSON.stringify({ops, seconds: Number(process.hrtime.bigint() - start) / 1e9}));
