// What every embedded admin page needs after authentication: the shop, the staff member acting,
// the locale, and formatters in the shop's currency and time zone.
import { prisma } from "./db.server";
import { resolveLocale } from "./i18n/i18n";
import { formatMoney } from "./modules/money/money";
import { actorFromSession } from "./modules/staff/staff.server";
import { authenticate } from "./shopify.server";

export async function adminContext(request: Request) {
  const { session, admin } = await authenticate.admin(request);
  const shop = session.shop;
  const [actor, shopRecord] = await Promise.all([actorFromSession(session), prisma.shop.findUnique({ where: { shop } })]);
  const locale = resolveLocale(request);
  const currencyCode = shopRecord?.currencyCode ?? "USD";
  const timeZone = shopRecord?.ianaTimezone ?? "UTC";
  const dateFormat = new Intl.DateTimeFormat(locale, {
    dateStyle: "medium",
    timeZone,
  });
  const dateTimeFormat = new Intl.DateTimeFormat(locale, {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone,
  });
  // Calendar days (a follow-up's due date) are stored as UTC midnight: shown as that day anywhere.
  const dayFormat = new Intl.DateTimeFormat(locale, {
    dateStyle: "medium",
    timeZone: "UTC",
  });
  return {
    session,
    admin,
    shop,
    actor,
    locale,
    currencyCode,
    timeZone,
    money: (minor: bigint, code = currencyCode) => formatMoney(minor, code, locale),
    date: (value: Date | null) => (value ? dateFormat.format(value) : null),
    dateTime: (value: Date | null) => (value ? dateTimeFormat.format(value) : null),
    day: (value: Date | null) => (value ? dayFormat.format(value) : null),
  };
}

export type AdminContext = Awaited<ReturnType<typeof adminContext>>;
