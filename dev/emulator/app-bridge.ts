// A small stand-in for App Bridge v4 (https://cdn.shopify.com/shopifycloud/app-bridge.js) so the
// embedded app runs in a plain browser: window.shopify.idToken(), toast.show(), config, and a
// fetch patch adding `Authorization: Bearer <id token>` to same-origin requests.
export function appBridgeScript(emulatorUrl: string): string {
  return `(() => {
  if (window.shopify && window.shopify.__emulator) return;
  var EMULATOR = ${JSON.stringify(emulatorUrl)};
  var current = document.currentScript;
  var params = new URLSearchParams(location.search);
  var meta = function (name) { var el = document.querySelector('meta[name="' + name + '"]'); return el ? el.getAttribute('content') : null; };
  var shop = params.get('shop') || (current && current.dataset.shop) || meta('shopify-shop') || (function () { try { return sessionStorage.getItem('emulator-shop'); } catch (e) { return null; } })();
  if (shop) { try { sessionStorage.setItem('emulator-shop', shop); } catch (e) {} }
  var apiKey = (current && current.dataset.apiKey) || meta('shopify-api-key') || '';
  var cached = params.get('id_token'), cachedExp = 0;
  function claims(token) { try { return JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))); } catch (e) { return {}; } }
  function decodeExp(token) { return (claims(token).exp || 0) * 1000; }
  // The staff member signed in: the first id token's subject, kept across the app's pages.
  var user = (cached && claims(cached).sub) || (function () { try { return sessionStorage.getItem('emulator-user'); } catch (e) { return null; } })();
  if (user) { try { sessionStorage.setItem('emulator-user', user); } catch (e) {} }
  if (cached) cachedExp = decodeExp(cached);
  function idToken() {
    if (cached && cachedExp - Date.now() > 10000) return Promise.resolve(cached);
    return originalFetch(EMULATOR + '/app-bridge/id-token?shop=' + encodeURIComponent(shop || '') + (user ? '&user=' + encodeURIComponent(user) : ''), { mode: 'cors' })
      .then(function (r) { if (!r.ok) throw new Error('id token request failed: ' + r.status); return r.json(); })
      .then(function (body) { cached = body.idToken; cachedExp = decodeExp(cached); return cached; });
  }
  function show(message, options) {
    options = options || {};
    var el = document.createElement('div');
    el.setAttribute('role', 'status');
    el.className = 'emulator-toast' + (options.isError ? ' emulator-toast--error' : '');
    el.textContent = message;
    el.style.cssText = 'position:fixed;left:50%;bottom:24px;transform:translateX(-50%);z-index:2147483647;padding:10px 16px;border-radius:8px;font:14px system-ui,sans-serif;color:#fff;background:' + (options.isError ? '#8e1f0b' : '#303030') + ';box-shadow:0 4px 12px rgba(0,0,0,.25)';
    document.body.appendChild(el);
    setTimeout(function () { el.remove(); }, options.duration || 5000);
    return 'toast-' + Date.now();
  }
  // Shopify admin draws <ui-nav-menu> as the app's navigation beside the iframe; outside the admin,
  // show it as a slim bar on top so the demo can be navigated the same way.
  var style = document.createElement('style');
  style.textContent = 'ui-nav-menu{display:flex;align-items:center;gap:20px;padding:0 20px;height:44px;background:#1a1a1a;font:13px/1 -apple-system,BlinkMacSystemFont,"San Francisco","Segoe UI",Roboto,sans-serif}' +
    'ui-nav-menu::before{content:"Shopify admin · emulated";color:#8a8a8a;margin-right:4px}' +
    'ui-nav-menu a{color:#e3e3e3;text-decoration:none;padding:6px 0;border-bottom:2px solid transparent}' +
    'ui-nav-menu a[aria-current=page],ui-nav-menu a:hover{color:#fff;border-bottom-color:#fff}';
  (document.head || document.documentElement).appendChild(style);
  var originalFetch = window.fetch.bind(window);
  window.fetch = function (input, init) {
    var url = new URL(typeof input === 'string' ? input : (input instanceof URL ? input.href : input.url), location.href);
    if (url.origin !== location.origin) return originalFetch(input, init);
    return idToken().then(function (token) {
      var request = new Request(input, init);
      if (!request.headers.has('Authorization')) request.headers.set('Authorization', 'Bearer ' + token);
      return originalFetch(request);
    });
  };
  window.shopify = {
    __emulator: true,
    config: { apiKey: apiKey, shop: shop, host: params.get('host'), locale: params.get('locale') || 'en' },
    idToken: idToken,
    toast: { show: show, hide: function () {} },
    loading: function () {},
    modal: { show: function () {}, hide: function () {} },
    saveBar: { show: function () { return Promise.resolve(); }, hide: function () { return Promise.resolve(); } },
    environment: { embedded: true, mobile: false, pos: false },
  };
})();
`;
}
