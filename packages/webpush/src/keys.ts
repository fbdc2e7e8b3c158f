import { encodeBase64Url } from "@pushbunny/core";

/** A VAPID (RFC 8292) application server key pair in the encodings browsers and the signer use. */
export interface VapidKeyPair {
  /** base64url of the 65-byte uncompressed P-256 point: the `applicationServerKey` for subscribe(). */
  publicKey: string;
  /** base64url of the private scalar (the JWK `d`). */
  privateKey: string;
}

/** A fresh VAPID key pair from WebCrypto (ECDSA P-256). */
export async function generateVapidKeys(): Promise<VapidKeyPair> {
  const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
  const raw = (await crypto.subtle.exportKey("raw", pair.publicKey)) as ArrayBuffer;
  const jwk = (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey;
  if (jwk.d === undefined) throw new Error("WebCrypto exported a P-256 private key without d");
  return { publicKey: encodeBase64Url(new Uint8Array(raw)), privateKey: jwk.d };
}
