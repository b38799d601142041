// Shopify session tokens (App Bridge id tokens): HS256 JWTs signed with the app's secret.
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";

export interface SessionTokenPayload {
  iss: string;
  dest: string;
  aud: string;
  sub: string;
  exp: number;
  nbf: number;
  iat: number;
  jti: string;
  sid: string;
  sig?: string;
}

const b64url = (value: string | Buffer) => Buffer.from(value).toString("base64url");

export function signSessionToken({ shop, apiKey, apiSecret, userId = "1", ttlSeconds = 60, now = Date.now() }: { shop: string; apiKey: string; apiSecret: string; userId?: string | number; ttlSeconds?: number; now?: number }): string {
  const iat = Math.floor(now / 1000);
  const payload: SessionTokenPayload = {
    iss: `https://${shop}/admin`,
    dest: `https://${shop}`,
    aud: apiKey,
    sub: String(userId),
    exp: iat + ttlSeconds,
    nbf: iat,
    iat,
    jti: randomUUID(),
    sid: createHmac("sha256", "sid").update(`${shop}:${userId}`).digest("hex").slice(0, 32),
  };
  const head = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const body = b64url(JSON.stringify(payload));
  const signature = createHmac("sha256", apiSecret).update(`${head}.${body}`).digest("base64url");
  return `${head}.${body}.${signature}`;
}

export class InvalidSessionToken extends Error {}

/** Verifies signature (HS256 with apiSecret), aud, dest/iss and exp/nbf (5 s leeway). */
export function verifySessionToken(token: string, { apiKey, apiSecret, now = Date.now() }: { apiKey: string; apiSecret: string; now?: number }): SessionTokenPayload & { shop: string } {
  const parts = token.split(".");
  if (parts.length !== 3) throw new InvalidSessionToken("Malformed token");
  const [head, body, signature] = parts as [string, string, string];
  let header: { alg?: string };
  let payload: SessionTokenPayload;
  try {
    header = JSON.parse(Buffer.from(head, "base64url").toString("utf8")) as { alg?: string };
    payload = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as SessionTokenPayload;
  } catch {
    throw new InvalidSessionToken("Malformed token");
  }
  if (header.alg !== "HS256") throw new InvalidSessionToken("Unsupported algorithm");
  const expected = createHmac("sha256", apiSecret).update(`${head}.${body}`).digest();
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new InvalidSessionToken("Bad signature");
  const t = Math.floor(now / 1000);
  if (typeof payload.exp !== "number" || payload.exp < t - 5) throw new InvalidSessionToken("Token expired");
  if (typeof payload.nbf === "number" && payload.nbf > t + 5) throw new InvalidSessionToken("Token not yet valid");
  if (payload.aud !== apiKey) throw new InvalidSessionToken("Wrong audience");
  const shop = /^https:\/\/([a-zA-Z0-9][a-zA-Z0-9-]*\.myshopify\.com)$/.exec(payload.dest ?? "")?.[1];
  if (!shop) throw new InvalidSessionToken("Bad dest");
  if (payload.iss && !payload.iss.startsWith(`https://${shop}`)) throw new InvalidSessionToken("iss does not match dest");
  return { ...payload, shop };
}
