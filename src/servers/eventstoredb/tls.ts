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
  /**
   * Issues a user certificate signed by this CA (clientAuth only, CN = `user`), as the real
   * server's user-certificates plugin expects; returns the PEM files' paths.
   */
  issueUserCertificate(user: string): { readonly certFile: string; readonly keyFile: string };
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
  let issued = 0;
  const issueUserCertificate = (user: string) => {
    if (!/^[A-Za-z0-9._@-]+$/.test(user)) throw new Error(`unsupported user name for a certificate: ${JSON.stringify(user)}`);
    issued += 1;
    const base = `user-${issued}`;
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=${user}`,
      "-keyout", file(`${base}.key`), "-out", file(`${base}.csr`));
    writeFileSync(file(`${base}.ext`), "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n");
    openssl("x509", "-req", "-in", file(`${base}.csr`), "-CA", file("ca.crt"), "-CAkey", file("ca.key"),
      "-CAcreateserial", "-days", "2", "-extfile", file(`${base}.ext`), "-out", file(`${base}.crt`));
    return { certFile: file(`${base}.crt`), keyFile: file(`${base}.key`) };
  };
  return {
    directory,
    issueUserCertificate,
    caFile: file("ca.crt"),
    ca: readFileSync(file("ca.crt")),
    cert: readFileSync(file("node.crt")),
    key: readFileSync(file("node.key")),
    remove: () => rmSync(directory, { recursive: true, force: true }),
  };
}
