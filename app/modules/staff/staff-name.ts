// How a staff member is named across the app: "Ava Chen", "李伟" (Chinese names are family name
// first, without a space), else their email, else their user id.

const CJK = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/;

export function staffName({ firstName, lastName, email, userId }: { firstName: string | null; lastName: string | null; email: string | null; userId: string }): string {
  if (firstName && lastName && CJK.test(firstName + lastName)) return `${lastName}${firstName}`;
  return [firstName, lastName].filter(Boolean).join(" ") || email || `Staff ${userId}`;
}
