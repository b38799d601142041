// Renders the theme app extension's Liquid with liquidjs the way a storefront would: Shopify's `t`
// filter over the extension's locale files (interpolation, one/other plurals), `money` in the
// shop's format, block settings from the block's own schema defaults, and the `{% schema %}` tag
// left out of the output. The customer and its app-owned metafield are what the test passes in.
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { Liquid, Tag, type TagToken, type TopLevelToken, type Context, type Emitter } from "liquidjs";

export const LOYALTY_BLOCK_DIR = join(import.meta.dirname, "../../extensions/loyalty-block");
type Messages = { [key: string]: string | Messages };

const read = (path: string) => readFileSync(join(LOYALTY_BLOCK_DIR, path), "utf8");
export const blockSource = (block = "loyalty-status") => read(`blocks/${block}.liquid`);
export const blockCss = (block = "loyalty-status") => read(`assets/${block}.css`);
export const blockAsset = (file: string) => read(`assets/${file}`);

export function blockSchema(block = "loyalty-status"): { settings: Array<{ id: string; default?: unknown }> } {
  const match = /{%\s*schema\s*%}([\s\S]*?){%\s*endschema\s*%}/.exec(blockSource(block));
  if (!match) throw new Error("the block has no schema");
  return JSON.parse(match[1]!);
}

function lookup(messages: Messages, key: string): string | Messages | undefined {
  return key.split(".").reduce<string | Messages | undefined>((node, part) => (node && typeof node === "object" ? node[part] : undefined), messages);
}

export interface StorefrontOptions {
  locale: "en" | "zh-CN";
  /** Shopify's money format of the shop, e.g. "${{amount}}" or "¥{{amount}}". */
  moneyFormat?: string;
  settings?: Record<string, unknown>;
  customer?: { first_name: string; status?: unknown } | null;
}

export async function renderLoyaltyBlock({ locale, moneyFormat = "${{amount}}", settings = {}, customer = null }: StorefrontOptions): Promise<string> {
  const scope = {
    routes: { account_register_url: "/account/register", account_login_url: "/account/login" },
    customer: customer ? { first_name: customer.first_name, metafields: { $app: { loyalty_status: customer.status === undefined ? null : { value: customer.status } } } } : null,
  };
  return renderBlock("loyalty-status", { locale, moneyFormat, settings, scope });
}

/**
 * The Recommendations block as a storefront page holds it: a signed-in shopper (or a guest), on a
 * product page (`product`) or elsewhere; asset URLs under /assets/ and the shop's root at "/".
 */
export async function renderRecommendationsBlock({ locale, settings = {}, customer = null, product = null }: { locale: "en" | "zh-CN"; settings?: Record<string, unknown>; customer?: { first_name: string } | null; product?: { id: number } | null }): Promise<string> {
  return renderBlock("recommendations", { locale, settings, scope: { routes: { root_url: "/" }, customer, product } });
}

async function renderBlock(block: string, { locale, moneyFormat = "${{amount}}", settings, scope }: { locale: "en" | "zh-CN"; moneyFormat?: string; settings: Record<string, unknown>; scope: Record<string, unknown> }): Promise<string> {
  const messages: Messages = JSON.parse(read(locale === "en" ? "locales/en.default.json" : `locales/${locale}.json`));
  const engine = new Liquid({ strictFilters: true });
  engine.registerTag(
    "schema",
    class extends Tag {
      constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
        super(token, remain, liquid);
        // Skip everything up to {% endschema %}.
        while (remain.length) {
          const next = remain.shift() as TagToken;
          if ((next as { name?: string }).name === "endschema") return;
        }
        throw new Error("{% schema %} without {% endschema %}");
      }
      *render(_ctx: Context, _emitter: Emitter): Generator<unknown, void, unknown> {}
    },
  );
  engine.registerFilter("t", (key: string, ...args: Array<[string, unknown]>) => {
    const vars = Object.fromEntries(args.map((arg) => (Array.isArray(arg) ? arg : [])));
    let message = lookup(messages, key);
    if (message && typeof message === "object") {
      const count = Number(vars.count);
      message = (count === 1 && typeof message.one === "string" ? message.one : message.other) as string | undefined;
    }
    if (typeof message !== "string") throw new Error(`translation missing: ${locale}.${key}`);
    return message.replace(/{{\s*(\w+)\s*}}/g, (_, name: string) => String(vars[name] ?? ""));
  });
  engine.registerFilter("money", (cents: number) => moneyFormat.replace(/{{\s*amount\s*}}/, (Number(cents) / 100).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })));
  engine.registerFilter("asset_url", (file: string) => `/assets/${file}`);
  const defaults = Object.fromEntries(blockSchema(block).settings.map((setting) => [setting.id, setting.default]));
  return engine.parseAndRender(blockSource(block), { ...scope, block: { settings: { ...defaults, ...settings }, shopify_attributes: `data-shopify-editor-block="${block}"` } });
}

/** The text a shopper reads: tags dropped, whitespace collapsed. */
export const visibleText = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim();
