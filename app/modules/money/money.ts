// Money as integer minor units (bigint) with an ISO currency code; never floats.

// Intl's lookup costs microseconds and the import converts millions of amounts: once per currency.
const exponents = new Map<string, number>();

/** Decimal places a currency uses, from the platform's own ISO 4217 data (JPY 0, USD 2, KWD 3). */
export function currencyExponent(currencyCode: string): number {
  let exponent = exponents.get(currencyCode);
  if (exponent !== undefined) return exponent;
  try {
    exponent = new Intl.NumberFormat("en", { style: "currency", currency: currencyCode }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    exponent = 2;
  }
  if (exponents.size < 1000) exponents.set(currencyCode, exponent); // bounded: codes come from outside
  return exponent;
}

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/** Parses Shopify's decimal text ("12.5", "-3.20") into minor units. Refuses anything that is not plain decimal text. */
export function toMinorUnits(amount: string, currencyCode: string): bigint {
  const match = DECIMAL.exec(amount.trim());
  if (!match) throw new RangeError(`Not a decimal amount: ${JSON.stringify(amount)}`);
  const [, sign, whole = "0", fraction = ""] = match;
  const exponent = currencyExponent(currencyCode);
  if (fraction.length > exponent && /[1-9]/.test(fraction.slice(exponent))) {
    throw new RangeError(`${amount} has more precision than ${currencyCode} allows`);
  }
  const minor = BigInt(whole + fraction.slice(0, exponent).padEnd(exponent, "0"));
  return sign ? -minor : minor;
}

/** Minor units back to decimal text, e.g. 1250n USD -> "12.50". */
export function toDecimalString(minor: bigint, currencyCode: string): string {
  const exponent = currencyExponent(currencyCode);
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(exponent + 1, "0");
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = exponent > 0 ? `.${digits.slice(-exponent)}` : "";
  return `${negative ? "-" : ""}${whole}${fraction}`;
}

/** Formats for people in their locale. Intl accepts decimal strings, so no precision is lost on the way. */
export function formatMoney(minor: bigint, currencyCode: string, locale = "en"): string {
  const format = new Intl.NumberFormat(locale, { style: "currency", currency: currencyCode });
  return format.format(toDecimalString(minor, currencyCode) as unknown as number);
}
