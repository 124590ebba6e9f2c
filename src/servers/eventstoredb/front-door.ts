// The port's listener. Like the real server (Kestrel with its clear-text multiplexing middleware,
// and ALPN `h2`/`http/1.1` under TLS), one port takes both gRPC over HTTP/2 and plain HTTP/1.1:
// in clear text a connection that opens with the HTTP/2 prior-knowledge preface goes to gRPC and
// any other to the HTTP/1.1 handler; under TLS the protocol the client negotiated decides.
import type { Server as HttpServer } from "node:http";
import { createServer as createNetServer, type Server as NetServer, type Socket } from "node:net";
import { createServer as createTlsServer, type TLSSocket } from "node:tls";
import type { Certificates } from "./tls.js";

const HTTP2_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

export interface FrontDoorRoutes {
  /** Hands a connection to the gRPC server (HTTP/2). */
  readonly grpc: (socket: Socket) => void;
  /** The HTTP/1.1 server that takes every other connection. */
  readonly http1: HttpServer;
}

export function frontDoor(routes: FrontDoorRoutes, certificates: Certificates | undefined): NetServer {
  if (certificates === undefined) return createNetServer((socket) => sniff(socket, routes));
  // As the server's TLS options: a client certificate is asked for but optional; one that does
  // not chain to the CA (or is out of its validity) fails the connection.
  return createTlsServer(
    {
      key: certificates.key,
      cert: certificates.cert,
      ca: certificates.ca,
      requestCert: true,
      rejectUnauthorized: false,
      ALPNProtocols: ["h2", "http/1.1"],
    },
    (socket: TLSSocket) => {
      const presented = Object.keys(socket.getPeerCertificate()).length > 0;
      if (presented && !socket.authorized) socket.destroy();
      else if (socket.alpnProtocol === "h2") routes.grpc(socket);
      else routes.http1.emit("connection", socket);
    },
  ).on("tlsClientError", () => undefined);
}

/** Reads until the bytes seen either diverge from the HTTP/2 preface or complete it. */
function sniff(socket: Socket, routes: FrontDoorRoutes): void {
  let seen = Buffer.alloc(0);
  const route = (toGrpc: boolean) => {
    socket.off("data", onData);
    socket.off("end", onEnd);
    if (toGrpc) {
      // http2 takes over the socket's handle and first drains what is buffered in the stream.
      socket.pause();
      socket.unshift(seen);
      routes.grpc(socket);
    } else {
      // The HTTP/1.1 parser reads the handle directly; the bytes already read go in as 'data'.
      routes.http1.emit("connection", socket);
      socket.emit("data", seen);
    }
  };
  const onData = (chunk: Buffer) => {
    seen = Buffer.concat([seen, chunk]);
    const compared = Math.min(seen.length, HTTP2_PREFACE.length);
    if (!seen.subarray(0, compared).equals(HTTP2_PREFACE.subarray(0, compared))) route(false);
    else if (compared === HTTP2_PREFACE.length) route(true);
  };
  const onEnd = () => socket.destroy();
  socket.on("data", onData);
  socket.on("end", onEnd);
  socket.on("error", () => socket.destroy());
}
