// The peer client for benchproof-sync's upload bench: tus-js-client uploading FILE to ENDPOINT
// in CHUNK-byte PATCHes. Usage: node client.mjs ENDPOINT FILE CHUNK. Prints "DONE <ms>" with the
// time from the first request to the last answer.
import fs from "node:fs";
import tus from "tus-js-client";

const [endpoint, file, chunkArg] = process.argv.slice(2);
if (endpoint === undefined || file === undefined || chunkArg === undefined) {
  console.error("usage: node client.mjs ENDPOINT FILE CHUNK");
  process.exit(2);
}
const size = fs.statSync(file).size;
const started = process.hrtime.bigint();
const upload = new tus.Upload(fs.createReadStream(file), {
  endpoint,
  uploadSize: size,
  chunkSize: Number(chunkArg),
  retryDelays: [],
  metadata: { filename: "bench.zip" },
  onError(error) {
    console.error(`tus-js-client failed: ${error}`);
    process.exit(1);
  },
  onSuccess() {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    console.log(`DONE ${ms.toFixed(1)}`);
  },
});
upload.start();
