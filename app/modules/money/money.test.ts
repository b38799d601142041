import { describe, expect, test } from "vitest";

import { currencyExponent, formatMoney, toDecimalString, toMinorUnits } from "./money";

describe("money", () => {
  test.each([
    { title: "dollars and cents", amount: "12.50", currency: "USD", minor: 1250n },
    { title: "no fraction", amount: "7", currency: "USD", minor: 700n },
    { title: "yen has no minor unit", amount: "1200", currency: "JPY", minor: 1200n },
    { title: "dinar has three", amount: "1.005", currency: "KWD", minor: 1005n },
    { title: "negative refund", amount: "-3.2", currency: "EUR", minor: -320n },
    { title: "trailing zeros beyond the exponent", amount: "5.000", currency: "USD", minor: 500n },
    { title: "beyond 2^53 stays exact", amount: "123456789012345678.91", currency: "USD", minor: 12345678901234567891n },
  ])("$title: $amount $currency -> $minor", ({ amount, currency, minor }) => {
    expect(toMinorUnits(amount, currency)).toBe(minor);
    expect(toMinorUnits(toDecimalString(minor, currency), currency)).toBe(minor);
  });

  test.each(["1e3", "12,50", "", "abc", "1.2.3"])("refuses %j", (amount) => {
    expect(() => toMinorUnits(amount, "USD")).toThrow(RangeError);
  });

  test("refuses precision the currency does not have", () => {
    expect(() => toMinorUnits("1.005", "USD")).toThrow(/more precision/);
  });

  test("exponents come from ISO 4217", () => {
    expect([currencyExponent("USD"), currencyExponent("JPY"), currencyExponent("BHD")]).toEqual([2, 0, 3]);
  });

  test("formats for people in their locale without float rounding", () => {
    expect(formatMoney(1234567n, "USD", "en")).toBe("$12,345.67");
    expect(formatMoney(9007199254740993n, "USD", "en")).toBe("$90,071,992,547,409.93");
    expect(formatMoney(1250n, "CNY", "zh-CN")).toBe("¥12.50");
  });
});
