// Issues a credential with Digital Bazaar's stack. Usage:
//   node issue.mjs SEED_HEX UNSIGNED.json > SIGNED.json
// The issuer is the did:key of the Ed25519 key with that 32-byte seed; `issuer.id` of the
// credential is set to it.
import {readFileSync} from 'node:fs';
import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {documentLoader} from './loader.mjs';

const [seedHex, file] = process.argv.slice(2);
const keyPair = await Ed25519Multikey.generate({seed: Buffer.from(seedHex, 'hex')});
const did = `did:key:${keyPair.publicKeyMultibase}`;
keyPair.controller = did;
keyPair.id = `${did}#${keyPair.publicKeyMultibase}`;
const credential = JSON.parse(readFileSync(file, 'utf8'));
if(typeof credential.issuer === 'object') {
  credential.issuer.id = did;
} else {
  credential.issuer = did;
}
const suite = new DataIntegrityProof({signer: keyPair.signer(), cryptosuite: eddsaRdfc2022CryptoSuite});
const signed = await vc.issue({credential, suite, documentLoader});
process.stdout.write(JSON.stringify(signed));
