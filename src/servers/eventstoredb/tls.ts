// Test-time certificates: a throwaway CA and a server certificate for 127.0.0.1/localhost, made
// with the openssl CLI in a temporary directory.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Certificates {
  readonly directory: string;
  readonly caFile: string;
  readonly ca: Buffer;
  readonly cert: Buffer;
  readonly key: Buffer;
  remove(): void;
}

export function makeCertificates(): Certificates {
  const directory = mkdtempSync(join(tmpdir(), "esdb-emulator-tls-"));
  const file = (name: string) => join(directory, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=switchyard test CA",
    "-keyout", file("ca.key"), "-out", file("ca.crt"));
  openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
    "-keyout", file("node.key"), "-out", file("node.csr"));
  writeFileSync(
    file("node.ext"),
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
  );
  openssl("x509", "-req", "-in", file("node.csr"), "-CA", file("ca.crt"), "-CAkey", file("ca.key"),
    "-CAcreateserial", "-days", "2", "-extfile", file("node.ext"), "-out", file("node.crt"));
  return {
    directory,
    caFile: file("ca.crt"),
    ca: readFileSync(file("ca.crt")),
    cert: readFileSync(file("node.crt")),
    key: readFileSync(file("node.key")),
    remove: () => rmSync(directory, { recursive: true, force: true }),
  };
}
