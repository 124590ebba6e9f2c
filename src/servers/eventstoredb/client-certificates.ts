// X.509 user certificates, as the real server's user-certificates plugin reads them: a client
// certificate that chains to the node's CA (checked in the TLS handshake, see front-door.ts),
// carries the clientAuth extended key usage and not serverAuth (a node certificate) names the
// user in its CN. The user found is attached to the call's metadata object for auth.ts.
import type { PeerCertificate } from "node:tls";
import {
  ResponderBuilder,
  ServerInterceptingCall,
  ServerListenerBuilder,
  type Metadata,
  type ServerInterceptor,
} from "@grpc/grpc-js";

const CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
const SERVER_AUTH = "1.3.6.1.5.5.7.3.1";

const usersByCall = new WeakMap<Metadata, string>();

/** The user named by the certificate the call's connection presented, if it names one. */
export function certificateUser(metadata: Metadata): string | undefined {
  return usersByCall.get(metadata);
}

export const certificateInterceptor: ServerInterceptor = (_method, call) =>
  new ServerInterceptingCall(
    call,
    new ResponderBuilder()
      .withStart((next) =>
        next(
          new ServerListenerBuilder()
            .withOnReceiveMetadata((metadata, forward) => {
              const user = userOf(call.getAuthContext().sslPeerCertificate);
              if (user !== undefined) usersByCall.set(metadata, user);
              forward(metadata);
            })
            .build(),
        ),
      )
      .build(),
  );

function userOf(certificate: PeerCertificate | undefined): string | undefined {
  if (certificate === undefined || certificate.subject === undefined) return undefined;
  const usages = certificate.ext_key_usage ?? [];
  if (!usages.includes(CLIENT_AUTH) || usages.includes(SERVER_AUTH)) return undefined;
  const name = certificate.subject.CN;
  return typeof name === "string" && name.length > 0 ? name : undefined;
}
