import { describe, expect, test } from "vitest";

import { staffName } from "./staff-name";

describe("staffName", () => {
  test.each([
    { title: "first and last name", staff: { firstName: "Ava", lastName: "Chen", email: "a@x.test", userId: "1" }, name: "Ava Chen" },
    { title: "a Chinese name, family name first", staff: { firstName: "伟", lastName: "李", email: null, userId: "3" }, name: "李伟" },
    { title: "a first name only", staff: { firstName: "Ben", lastName: null, email: null, userId: "2" }, name: "Ben" },
    { title: "no name: the email", staff: { firstName: null, lastName: null, email: "staff@x.test", userId: "4" }, name: "staff@x.test" },
    { title: "nothing but the id", staff: { firstName: null, lastName: null, email: null, userId: "5" }, name: "Staff 5" },
  ])("$title", ({ staff, name }) => {
    expect(staffName(staff)).toBe(name);
  });
});
