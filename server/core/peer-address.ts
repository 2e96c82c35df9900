import "server-only";
import { IncomingMessage, Server } from "node:http";
import { PEER_ADDRESS_HEADER } from "@/server/core/client-address";
import { processSlot } from "@/server/core/process-slot";

/*
 * Next.js hands route handlers no socket, and fills X-Forwarded-For from the
 * socket only when the client sent none. So every request reaching a Node HTTP
 * server in this process is stamped with its socket peer before Next.js sees
 * it, overwriting anything a client put in that header. See
 * docs/operations.md#behind-a-proxy
 */

/** Installs the stamp once per process (server/startup calls it before serving). */
export function stampPeerAddresses(): void {
  const slot = processSlot<boolean>("rxwatchPeerAddressStamp");
  if (slot.value) return;
  slot.value = true;
  const emit = Server.prototype.emit;
  Server.prototype.emit = function emitWithPeer(this: Server, event: string | symbol, ...args: unknown[]): boolean {
    const [request] = args;
    if (event === "request" && request instanceof IncomingMessage) {
      const peer = request.socket.remoteAddress;
      if (peer) request.headers[PEER_ADDRESS_HEADER] = peer;
      else delete request.headers[PEER_ADDRESS_HEADER];
    }
    return Reflect.apply(emit, this, [event, ...args]) === true;
  };
}
