// An independent tus 1.0 server (@tus/server + @tus/file-store) for benchproof-sync's interop
// tests and upload bench. Usage: node server.mjs PORT DIRECTORY  (PORT 0 picks a free port).
// Prints "LISTENING <port>" once it accepts connections; uploads land in DIRECTORY/<id>.
import { Server } from "@tus/server";
import { FileStore } from "@tus/file-store";

const [portArg, directory] = process.argv.slice(2);
if (portArg === undefined || directory === undefined) {
  console.error("usage: node server.mjs PORT DIRECTORY");
  process.exit(2);
}
const server = new Server({
  path: "/files",
  datastore: new FileStore({ directory }),
  maxSize: 2 * 1024 * 1024 * 1024,
});
const http = server.listen({ host: "127.0.0.1", port: Number(portArg) }, () => {
  console.log(`LISTENING ${http.address().port}`);
});
// Exit with the parent (the test closes our stdin when it is done or dies).
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
