// Rewrites Admin API requests addressed to https://{shop}/admin/... to another origin
// (the local emulator), keeping the shop in X-Forwarded-Host so one emulator serves many shops.
type Fetch = typeof globalThis.fetch;

export function redirectAdminApiFetch(origin: string, fetchImpl: Fetch): Fetch {
  const target = new URL(origin);
  return (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (!url.hostname.endsWith(".myshopify.com") || !url.pathname.startsWith("/admin/")) {
      return fetchImpl(request);
    }
    const rewritten = new Request(new URL(url.pathname + url.search, target), request);
    rewritten.headers.set("X-Forwarded-Host", url.host);
    return fetchImpl(rewritten);
  };
}
