// The storefront "Loyalty status" block (theme app extension, decision 010): Shopify's theme-check
// passes, and the Liquid - rendered with liquidjs from the very status the app writes to the
// metafield (loyaltyStatus) - shows a guest, a member mid-tier and a member at the top tier the
// right text, in English and Simplified Chinese. The block stays light: no script, a small stylesheet.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { themeCheckRun } from "@shopify/theme-check-node";
import { parse as parseToml } from "smol-toml";
import { describe, expect, test } from "vitest";

import type { Program } from "../../app/modules/loyalty/program";
import { loyaltyStatus, METAFIELD_KEYS } from "../../app/modules/loyalty/push.server";
import { SEGMENT_METAFIELD_KEYS } from "../../app/modules/segments/segment-push.server";
import { blockCss, blockSource, LOYALTY_BLOCK_DIR, renderLoyaltyBlock, visibleText } from "../support/liquid-storefront";
import { testProgram } from "../support/loyalty";

const program: Program = testProgram();
const usd = { currencyCode: "USD", exponent: 2 };
const silver = loyaltyStatus({ tierKey: "silver", metric: 57_950n, pointsBalance: 240, tierSince: new Date("2026-05-01T00:00:00Z") }, program, usd);
const gold = loyaltyStatus({ tierKey: "gold", metric: 250_000n, pointsBalance: 1, tierSince: null }, program, usd);

describe("theme-check", () => {
  const errors = async (root: string) => (await themeCheckRun(root, join(root, ".theme-check.yml"))).offenses.filter((offense) => offense.severity === 0);

  test("the extension passes Shopify's theme app extension checks with no errors", async () => {
    expect(await errors(LOYALTY_BLOCK_DIR)).toEqual([]);
  });

  test("and the checks do catch a broken block (a translation key the locales lack)", async () => {
    const copy = mkdtempSync(join(tmpdir(), "loyalty-block-"));
    try {
      cpSync(LOYALTY_BLOCK_DIR, copy, { recursive: true });
      const block = join(copy, "blocks/loyalty-status.liquid");
      writeFileSync(block, readFileSync(block, "utf8").replace("'loyalty.perks' | t", "'loyalty.no_such_key' | t"));
      expect((await errors(copy)).map((offense) => offense.check)).toContain("TranslationKeyExists");
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

describe("rendered for shoppers", () => {
  test("a guest is invited to join or sign in", async () => {
    const html = await renderLoyaltyBlock({ locale: "en" });
    expect(visibleText(html)).toBe("Rewards Join our rewards program: earn points on every order and unlock member perks. Join now Sign in");
    expect(html).toContain('href="/account/register"');
    expect(html).toContain('href="/account/login"');
  });

  test("a member mid-tier sees the badge, points, the progress bar and what is missing in money", async () => {
    const html = await renderLoyaltyBlock({ locale: "en", customer: { first_name: "Grace", status: silver } });
    expect(visibleText(html)).toBe("Rewards Hi Grace, you are a Silver You have 240 points Spend $420.50 more to reach Gold Your perks Free gift wrap");
    expect(html).toContain('aria-valuenow="47"'); // (579.50 - 200) / (1000 - 200)
    expect(html).toContain("width: 47%");
    expect(html).toContain("--crm-loyalty-tier: #6d7175");
  });

  test("a member at the top tier is thanked, with every perk line", async () => {
    const html = await renderLoyaltyBlock({ locale: "en", customer: { first_name: "Ada", status: gold } });
    expect(visibleText(html)).toBe("Rewards Hi Ada, you are a Gold You have 1 point You have reached our highest tier. Thank you! Your perks Free shipping Early access to sales");
    expect(html).not.toContain("progressbar");
    expect(html).toContain("Free shipping<br");
  });

  test("in Simplified Chinese, with the shop's own money format", async () => {
    const html = await renderLoyaltyBlock({ locale: "zh-CN", moneyFormat: "¥{{amount}}", settings: { heading: "会员中心" }, customer: { first_name: "伟", status: silver } });
    expect(visibleText(html)).toBe("会员中心 伟，您是 Silver 您有 240 积分 再消费 ¥420.50 即可升级为Gold 您的会员权益 Free gift wrap");
  });

  test("order-count tiers say how many orders are missing", async () => {
    const orders: Program = { ...program, basis: "orders", tiers: [program.tiers[0]!, { ...program.tiers[1]!, threshold: 5 }] };
    const status = loyaltyStatus({ tierKey: "member", metric: 3n, pointsBalance: 0, tierSince: null }, orders, usd);
    expect(visibleText(await renderLoyaltyBlock({ locale: "en", customer: { first_name: "Lin", status } }))).toContain("2 more orders to reach Silver");
  });

  test("a signed-in customer whose status is not written yet is told so, not shown as a guest", async () => {
    expect(visibleText(await renderLoyaltyBlock({ locale: "en", customer: { first_name: "New" } }))).toBe("Rewards Your membership is being set up - check back in a minute.");
  });

  test("the merchant's settings hide parts and set the colours", async () => {
    const html = await renderLoyaltyBlock({ locale: "en", settings: { show_points: false, show_progress: false, show_perks: false, heading: "", accent_color: "#ff0000" }, customer: { first_name: "Grace", status: silver } });
    expect(visibleText(html)).toBe("Hi Grace, you are a Silver");
    expect(html).toContain("--crm-loyalty-accent: #ff0000");
  });

  test("text from the metafield is escaped", async () => {
    const status = { ...silver, tier: { ...silver.tier!, name: "<img src=x onerror=alert(1)>" } };
    const html = await renderLoyaltyBlock({ locale: "en", customer: { first_name: "<b>Eve</b>", status } });
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<b>Eve");
  });
});

describe("the block stays light and agrees with the app", () => {
  test("no JavaScript, no framework, under 2 KB of CSS; the recommendations block's one script is under 2 KB and uses nothing but the DOM", () => {
    expect(readdirSync(join(LOYALTY_BLOCK_DIR, "assets")).sort()).toEqual(["loyalty-status.css", "recommendations.css", "recommendations.js"]);
    expect(blockSource()).not.toMatch(/<script|javascript/i);
    expect(Buffer.byteLength(blockCss())).toBeLessThan(2048);
    const script = readFileSync(join(LOYALTY_BLOCK_DIR, "assets/recommendations.js"), "utf8");
    expect(Buffer.byteLength(script)).toBeLessThan(2048);
    expect(script).not.toMatch(/\bimport\b|require\(|innerHTML/);
    expect(Buffer.byteLength(readFileSync(join(LOYALTY_BLOCK_DIR, "assets/recommendations.css")))).toBeLessThan(2048);
    // Shopify's proxy path, so the request reaches the app signed for the signed-in shopper.
    expect(readFileSync(join(LOYALTY_BLOCK_DIR, "blocks/recommendations.liquid"), "utf8")).toContain("apps/crm/recommendations");
  });

  test("every storefront string exists in both locales", () => {
    type Messages = { [key: string]: string | Messages };
    const keys = (messages: Messages, prefix = ""): string[] => Object.entries(messages).flatMap(([key, value]) => (typeof value === "string" ? [`${prefix}${key}`] : keys(value, `${prefix}${key}.`)));
    const read = (file: string) => JSON.parse(readFileSync(join(LOYALTY_BLOCK_DIR, "locales", file), "utf8")) as Messages;
    // Chinese has no singular form: a key with "one" in English has "other" in Chinese.
    const base = (list: string[]) => [...new Set(list.map((key) => key.replace(/\.(one|other)$/, "")))].sort();
    expect(base(keys(read("zh-CN.json")))).toEqual(base(keys(read("en.default.json"))));
    expect(keys(read("zh-CN.schema.json")).sort()).toEqual(keys(read("en.default.schema.json")).sort());
  });

  test("the block reads the metafield the app writes, declared in shopify.app.toml with storefront access", () => {
    expect(blockSource()).toContain(`customer.metafields['$app'].${METAFIELD_KEYS.status}.value`);
    const toml = parseToml(readFileSync(join(LOYALTY_BLOCK_DIR, "../../shopify.app.toml"), "utf8")) as { customer: { metafields: { app: Record<string, { type: string; access: { storefront: string } }> } } };
    for (const key of Object.values(METAFIELD_KEYS)) expect(toml.customer.metafields.app[key]?.access.storefront).toBe("public_read");
    expect(toml.customer.metafields.app[METAFIELD_KEYS.status]?.type).toBe("json");
    // The segments module's (decision 011): what Shopify's segment editor and Flow select on.
    expect(toml.customer.metafields.app[SEGMENT_METAFIELD_KEYS.rfm]?.type).toBe("single_line_text_field");
    expect(toml.customer.metafields.app[SEGMENT_METAFIELD_KEYS.segments]?.type).toBe("list.single_line_text_field");
  });

  test("the Flow triggers the app fires are declared as extensions with the fields it sends", () => {
    const fields = (handle: string) => {
      const toml = parseToml(readFileSync(join(LOYALTY_BLOCK_DIR, `../${handle}/shopify.extension.toml`), "utf8")) as { extensions: Array<{ handle: string; type: string }>; settings: { fields: Array<{ type: string; key?: string }> } };
      expect(toml.extensions).toEqual([expect.objectContaining({ handle, type: "flow_trigger" })]);
      return toml.settings.fields.map((field) => field.key ?? field.type);
    };
    expect(fields("tier-changed")).toEqual(["customer_reference", "tier", "previous_tier", "reason"]);
    expect(fields("points-changed")).toEqual(["customer_reference", "points", "change"]);
    expect(fields("customer-entered-segment")).toEqual(["customer_reference", "segment"]);
  });
});
