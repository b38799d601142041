// Chromium on the demo walks the loyalty program (decision 010): the members chart matches the
// database, a changed threshold shows its impact before it can be saved, saving applies it; on a
// profile staff adjust points and override a tier with a reason. The storefront block is rendered
// for a guest, a member mid-tier and one at the top tier. Screenshots go to test-results/.
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import type { Program } from "../../app/modules/loyalty/program";
import { loyaltyStatus } from "../../app/modules/loyalty/push.server";
import { blockCss, renderLoyaltyBlock } from "../support/liquid-storefront";
import { testProgram } from "../support/loyalty";
import { demoDatabase, startDemo, type Demo } from "./demo-support";

const DATABASE_FILE = "data/browser-loyalty.db";
let demo: Demo;

const { one } = demoDatabase(DATABASE_FILE);

beforeAll(async () => {
  demo = await startDemo({ customers: 200, orders: 700, databaseFile: DATABASE_FILE });
});

afterAll(async () => {
  await demo?.stop();
});


const memberCount = (tier: string) => one<{ n: number }>(`SELECT COUNT(*) AS n FROM "LoyaltyMember" WHERE "tierKey" = ? AND "evaluatedAt" IS NOT NULL`, tier).n;

describe("loyalty program", () => {
  test("the members chart shows every imported customer in a tier, from their full order history", async () => {
    const page = await demo.newPage();
    await demo.open(page, "/app/loyalty");
    await page.getByRole("heading", { name: "Members per tier" }).waitFor({ timeout: 60_000 });
    // The import's recompute runs in the background: wait until it has evaluated everyone.
    const customers = one<{ n: number }>(`SELECT COUNT(*) AS n FROM "Customer" WHERE "deletedAt" IS NULL`).n;
    await expect.poll(() => one<{ n: number }>(`SELECT COUNT(*) AS n FROM "LoyaltyMember" WHERE "evaluatedAt" IS NOT NULL`).n, { timeout: 60_000 }).toBe(customers);
    await page.reload();
    for (const tier of ["member", "silver", "gold"]) {
      await expect.poll(() => page.getByTestId(`members-${tier}`).innerText()).toMatch(new RegExp(`^${memberCount(tier)} \\(`));
    }
    expect(memberCount("gold")).toBeGreaterThan(0);
    await page.screenshot({ path: "test-results/loyalty-page.png", fullPage: true });
  });

  test("lowering Gold's threshold shows who moves up before it can be saved, and saving applies it in one step", async () => {
    // Silver members the new threshold promotes: their metric (lifetime spend, cents) is 800.00 or more.
    const promoted = one<{ n: number }>(`SELECT COUNT(*) AS n FROM "LoyaltyMember" WHERE "tierKey" = 'silver' AND "metric" >= 80000`).n;
    expect(promoted).toBeGreaterThan(0);
    const goldBefore = memberCount("gold");
    const page = await demo.newPage();
    await demo.open(page, "/app/loyalty");
    await page.getByRole("heading", { name: "Tier program" }).waitFor({ timeout: 60_000 });
    const save = page.getByRole("button", { name: "Save and apply" });
    await expect(save.isDisabled()).resolves.toBe(true);

    await page.getByLabel("Spent at least").nth(2).fill("800.00");
    await expect(save.isDisabled()).resolves.toBe(true); // not before the impact is shown
    await page.getByRole("button", { name: "Review impact" }).click();
    await page.getByText(`${promoted} customers move up, 0 move down`).waitFor({ timeout: 30_000 });
    await page.getByRole("heading", { name: "Moving up" }).waitFor();
    await page.screenshot({ path: "test-results/loyalty-impact.png", fullPage: true });

    await save.click();
    await page.getByText("Version 2 saved: every member now follows it.").waitFor({ timeout: 30_000 });
    expect(one<{ v: number }>(`SELECT MAX("version") AS v FROM "LoyaltyProgram"`).v).toBe(2);
    expect(memberCount("gold")).toBe(goldBefore + promoted);
    expect(one<{ n: number }>(`SELECT COUNT(*) AS n FROM "TierChange" WHERE "reason" = 'promoted' AND "toKey" = 'gold' AND "programVersion" = 2 AND "actorName" = 'Ava Chen'`).n).toBe(promoted);
    await page.getByText("Version 2 · Ava Chen").waitFor();
  });

  test("on a profile, staff adjust points and override the tier, each with a reason", async () => {
    const target = one<{ customerId: string }>(`SELECT "customerId" FROM "LoyaltyMember" WHERE "tierKey" = 'silver' ORDER BY "customerId" LIMIT 1`);
    const page = await demo.newPage();
    await demo.open(page, `/app/customers/${target.customerId.split("/").pop()}`);
    await page.getByRole("heading", { name: "Membership tier" }).waitFor({ timeout: 60_000 });
    await expect(page.getByTestId("tier-badge").first().innerText()).resolves.toBe("Silver");

    await page.getByRole("button", { name: "Adjust points" }).click();
    await page.getByLabel("Points to add (negative to deduct)").waitFor();
    await page.getByLabel("Points to add (negative to deduct)").fill("-5");
    await page.getByLabel("Reason (kept in the history)").last().fill("Test");
    await page.getByRole("button", { name: "Save adjustment" }).click();
    await page.getByText("The balance cannot go below 0.").waitFor();

    await page.getByLabel("Points to add (negative to deduct)").fill("50");
    await page.getByLabel("Reason (kept in the history)").last().fill("Sorry for the late parcel");
    await page.getByRole("button", { name: "Save adjustment" }).click();
    await expect.poll(() => page.getByTestId("points-balance").innerText()).toBe("50 points");
    await page.getByText("Adjusted: Sorry for the late parcel").waitFor();
    await page.getByText("Ava Chen adjusted points by +50: Sorry for the late parcel").waitFor();

    await page.getByRole("button", { name: "Override tier" }).click();
    await page.getByLabel("Tier", { exact: true }).selectOption({ label: "Gold" });
    await page.getByLabel("Reason (kept in the history)").first().fill("Wholesale partner");
    await page.getByRole("button", { name: "Save tier" }).click();
    await expect.poll(() => page.getByTestId("tier-badge").first().innerText()).toBe("Gold");
    await page.getByText(/Gold set by Ava Chen .*Wholesale partner/).waitFor();
    await page.getByText("Ava Chen set the tier to Gold (was Silver) – Wholesale partner").waitFor();
    const member = one<{ tierKey: string; overrideReason: string; pointsBalance: number }>(`SELECT "tierKey", "overrideReason", "pointsBalance" FROM "LoyaltyMember" WHERE "customerId" = ?`, target.customerId);
    expect(member).toEqual({ tierKey: "gold", overrideReason: "Wholesale partner", pointsBalance: 50 });
    await page.screenshot({ path: "test-results/loyalty-profile.png", fullPage: true });
  });

  test("the loyalty page in Simplified Chinese", async () => {
    const page = await demo.newPage();
    await demo.open(page, "/app/loyalty", { locale: "zh-CN", user: 3 });
    await page.getByRole("heading", { name: "各等级会员数" }).waitFor({ timeout: 60_000 });
    await page.getByRole("button", { name: "查看影响" }).waitFor();
    await page.screenshot({ path: "test-results/loyalty-page-zh-CN.png", fullPage: true });
  });
});

describe("storefront loyalty block", () => {
  test("a guest, a member mid-tier and a member at the top tier, rendered in Chromium", async () => {
    const program: Program = testProgram();
    const usd = { currencyCode: "USD", exponent: 2 };
    const blocks = await Promise.all([
      renderLoyaltyBlock({ locale: "en" }),
      renderLoyaltyBlock({ locale: "en", customer: { first_name: "Grace", status: loyaltyStatus({ tierKey: "silver", metric: 57_950n, pointsBalance: 240, tierSince: null }, program, usd) } }),
      renderLoyaltyBlock({ locale: "en", customer: { first_name: "Ada", status: loyaltyStatus({ tierKey: "gold", metric: 250_000n, pointsBalance: 1_250, tierSince: null }, program, usd) } }),
      renderLoyaltyBlock({ locale: "zh-CN", moneyFormat: "¥{{amount}}", settings: { heading: "会员中心" }, customer: { first_name: "伟", status: loyaltyStatus({ tierKey: "silver", metric: 57_950n, pointsBalance: 240, tierSince: null }, program, usd) } }),
    ]);
    const page = await demo.newPage();
    await page.setContent(
      `<!doctype html><html><head><meta charset="utf-8"><style>body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;background:#f6f6f7;padding:24px;display:grid;grid-template-columns:repeat(2,minmax(0,32rem));gap:24px}${blockCss()}</style></head><body>${blocks.join("")}</body></html>`,
    );
    await expect(page.locator(".crm-loyalty").count()).resolves.toBe(4);
    await expect(page.locator(".crm-loyalty__bar span").first().evaluate((bar) => getComputedStyle(bar).width)).resolves.not.toBe("0px");
    await page.screenshot({ path: "test-results/loyalty-block.png", fullPage: true });
  });
});
