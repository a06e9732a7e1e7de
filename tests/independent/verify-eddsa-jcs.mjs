#!/usr/bin/env node
// Verifies the W3C Data Integrity `eddsa-jcs-2022` proofs of JSON documents, independently of
// benchproof's Rust code. Every proof is checked twice, and must pass both:
//
//  1. "w3c": this file's own reading of Data Integrity EdDSA Cryptosuites v1.0, §3.3.2
//     (Verify Proof, eddsa-jcs-2022), with `canonicalize` (RFC 8785 JCS, the reference
//     implementation), node:crypto (SHA-256, Ed25519 via OpenSSL) and a base58btc decoder below;
//  2. "digitalbazaar": Digital Bazaar's DataIntegrityProof (@digitalbazaar/data-integrity) with
//     its eddsa-jcs-2022 cryptosuite (@digitalbazaar/eddsa-jcs-2022-cryptosuite; Ed25519 via
//     @noble/ed25519). Its `verifyProof` is called directly, with an offline did:key resolver as
//     document loader: `jsigs.verify` would expand the document as JSON-LD, and benchproof's
//     documents have no `@context`.
//
// A `proof` may be one proof or a proof set (an array); every proof of a set is verified over the
// document without any proof. Proof chains (`previousProof`) are not supported and fail.
//
// Usage: node verify-eddsa-jcs.mjs FILE.json...
// Prints one line per proof; exits 0 if every proof of every file verifies, 1 otherwise.

import {createHash, createPublicKey, verify as cryptoVerify} from 'node:crypto';
import {readFileSync} from 'node:fs';

import canonicalize from 'canonicalize';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {createVerifyCryptosuite} from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';

const BASE58BTC = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** Decodes base58btc (Bitcoin alphabet; each leading '1' is a leading zero byte). */
function base58btcDecode(s) {
  const bytes = []; // little-endian base-256 digits of the number
  for (const c of s) {
    let carry = BASE58BTC.indexOf(c);
    if (carry < 0) throw new Error(`not base58btc: ${JSON.stringify(c)}`);
    for (let i = 0; i < bytes.length; i++) {
      carry += bytes[i] * 58;
      bytes[i] = carry & 0xff;
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push(carry & 0xff);
      carry >>= 8;
    }
  }
  let zeros = 0;
  while (zeros < s.length && s[zeros] === '1') zeros++;
  return Buffer.from([...new Array(zeros).fill(0), ...bytes.reverse()]);
}

/** A multibase string that must be base58btc ('z' prefix). */
function multibaseDecode(s, what) {
  if (typeof s !== 'string' || !s.startsWith('z')) throw new Error(`${what} is not base58btc multibase ("z…")`);
  return base58btcDecode(s.slice(1));
}

/** `did:key:z6Mk…#z6Mk…` → the 32-byte Ed25519 public key, and the Multikey value. */
function resolveDidKey(verificationMethod) {
  const m = /^did:key:(z[1-9A-HJ-NP-Za-km-z]+)#(z[1-9A-HJ-NP-Za-km-z]+)$/.exec(String(verificationMethod));
  if (!m) throw new Error(`verificationMethod ${JSON.stringify(verificationMethod)} is not a did:key key (did:key:z…#z…)`);
  if (m[1] !== m[2]) throw new Error('did:key fragment does not repeat the DID\'s key');
  const multicodec = multibaseDecode(m[1], 'did:key');
  if (multicodec.length !== 34 || multicodec[0] !== 0xed || multicodec[1] !== 0x01) {
    throw new Error('did:key is not an Ed25519 public key (0xed 0x01 + 32 bytes)');
  }
  return {did: `did:key:${m[1]}`, publicKeyMultibase: m[1], publicKey: multicodec.subarray(2)};
}

const sha256 = (s) => createHash('sha256').update(s, 'utf8').digest();

function withoutProof(document) {
  const copy = structuredClone(document);
  delete copy.proof;
  return copy;
}

/** Check 1: the W3C algorithm, written out here. Throws on failure. */
function verifyW3c(document, proof) {
  if (proof === null || typeof proof !== 'object' || Array.isArray(proof)) throw new Error('proof is not an object');
  if (proof.type !== 'DataIntegrityProof') throw new Error(`type is ${JSON.stringify(proof.type)}`);
  if (proof.cryptosuite !== 'eddsa-jcs-2022') throw new Error(`cryptosuite is ${JSON.stringify(proof.cryptosuite)}`);
  if (typeof proof.proofPurpose !== 'string') throw new Error('no proofPurpose');
  if (proof.previousProof !== undefined) throw new Error('proof chains (previousProof) are not supported');
  // 1-3: proofOptions = proof without proofValue; proofBytes = the decoded proofValue.
  const {proofValue, ...proofOptions} = proof;
  const signature = multibaseDecode(proofValue, 'proofValue');
  if (signature.length !== 64) throw new Error(`proofValue decodes to ${signature.length} bytes, not 64`);
  // unsecuredDocument = the document without proof.
  const unsecured = withoutProof(document);
  // 4: a proof @context must be a prefix of the document's, and then replaces it.
  if (proofOptions['@context'] !== undefined) {
    const pc = [].concat(proofOptions['@context']);
    const dc = [].concat(document['@context'] ?? []);
    if (pc.some((c, i) => JSON.stringify(c) !== JSON.stringify(dc[i]))) {
      throw new Error('document @context does not start with the proof @context');
    }
    unsecured['@context'] = proofOptions['@context'];
  }
  // 5-7: hashData = SHA-256(JCS(proofConfig)) ‖ SHA-256(JCS(unsecuredDocument)).
  const hashData = Buffer.concat([sha256(canonicalize(proofOptions)), sha256(canonicalize(unsecured))]);
  // 8: Ed25519 verification with the did:key's public key.
  const {publicKey} = resolveDidKey(proof.verificationMethod);
  const key = createPublicKey({key: {kty: 'OKP', crv: 'Ed25519', x: publicKey.toString('base64url')}, format: 'jwk'});
  if (!cryptoVerify(null, hashData, key, signature)) throw new Error('Ed25519 signature does not verify');
}

/** Offline document loader: a did:key verification method URL → its Multikey. */
async function documentLoader(url) {
  const {did, publicKeyMultibase} = resolveDidKey(url);
  return {
    contextUrl: null,
    documentUrl: url,
    document: {
      '@context': 'https://w3id.org/security/multikey/v1',
      id: url,
      type: 'Multikey',
      controller: did,
      publicKeyMultibase,
    },
  };
}

/** Check 2: Digital Bazaar's implementation. Throws on failure. */
async function verifyDigitalBazaar(document, proof, proofSet) {
  const suite = new DataIntegrityProof({cryptosuite: createVerifyCryptosuite()});
  if (!(await suite.matchProof({proof: structuredClone(proof)}))) {
    throw new Error('not a DataIntegrityProof with cryptosuite eddsa-jcs-2022');
  }
  const result = await suite.verifyProof({
    proof: structuredClone(proof),
    proofSet: structuredClone(proofSet),
    document: withoutProof(document),
    documentLoader,
  });
  if (!result.verified) throw result.error ?? new Error('not verified');
}

async function main(files) {
  if (files.length === 0) {
    console.error('usage: node verify-eddsa-jcs.mjs FILE.json...');
    return 1;
  }
  let verified = 0;
  let failed = 0;
  for (const file of files) {
    let document;
    try {
      document = JSON.parse(readFileSync(file, 'utf8'));
      if (document === null || typeof document !== 'object' || Array.isArray(document)) {
        throw new Error('not a JSON object');
      }
      if (document.proof === undefined) throw new Error('no proof');
    } catch (e) {
      console.log(`FAILED ${file}: ${e.message}`);
      failed++;
      continue;
    }
    const proofs = [].concat(document.proof);
    for (const [i, proof] of proofs.entries()) {
      const where = `${file} proof[${i}] ${proof?.verificationMethod}`;
      const outcome = {};
      for (const [name, check] of [
        ['w3c', async () => verifyW3c(document, proof)],
        ['digitalbazaar', () => verifyDigitalBazaar(document, proof, proofs)],
      ]) {
        try {
          await check();
          outcome[name] = 'ok';
        } catch (e) {
          outcome[name] = `FAILED (${e.message})`;
        }
      }
      const summary = `w3c: ${outcome.w3c}; digitalbazaar: ${outcome.digitalbazaar}`;
      if (outcome.w3c === 'ok' && outcome.digitalbazaar === 'ok') {
        console.log(`verified ${where} [${summary}]`);
        verified++;
      } else {
        console.log(`FAILED ${where} [${summary}]`);
        failed++;
      }
    }
  }
  console.log(`${verified} proofs verified, ${failed} failed`);
  return failed === 0 && verified > 0 ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
