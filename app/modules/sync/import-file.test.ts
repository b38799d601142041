// A bulk result file's lines, however the network cuts its bytes into chunks.
import { describe, expect, test } from "vitest";

import { splitLines } from "./import-file.server";

async function* chunksOf(bytes: Buffer, sizes: number[]) {
  let start = 0;
  for (let i = 0; start < bytes.length; i++) {
    const size = sizes[i % sizes.length]!;
    yield new Uint8Array(bytes.subarray(start, start + size)); // a copy, as the network gives it
    start += size;
  }
}

async function lines(bytes: Buffer, sizes: number[]) {
  const found: string[] = [];
  for await (const line of splitLines(chunksOf(bytes, sizes))) found.push(line);
  return found;
}

const OBJECTS = [
  { id: "gid://shopify/Customer/1", displayName: "王伟", note: "café ☕ - 𝄞 (four bytes)" },
  { id: "gid://shopify/Customer/2", displayName: "Zoë", note: "" },
  { id: "gid://shopify/Customer/3", displayName: "Ana", note: "x".repeat(300) },
];
const TEXT = OBJECTS.map((object) => JSON.stringify(object)).join("\n");

describe("splitLines", () => {
  test.each([[[1]], [[2]], [[3]], [[5, 7]], [[64]], [[100_000]]])("GIVEN chunks of %j bytes, THEN every line comes out whole - multi-byte characters cut across chunks included", async (sizes) => {
    expect((await lines(Buffer.from(`${TEXT}\n`), sizes)).map((line) => JSON.parse(line))).toEqual(OBJECTS);
  });

  test("WHEN the file does not end with a newline, THEN its last line still comes out", async () => {
    expect((await lines(Buffer.from(TEXT), [10])).map((line) => JSON.parse(line))).toEqual(OBJECTS);
  });

  test("empty lines and blanks after the last newline are skipped; a leading byte order mark is dropped", async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`{"a":1}\n\n{"b":2}\n\n  `)]);
    for (const sizes of [[1], [2], [100]]) expect(await lines(bytes, sizes)).toEqual(['{"a":1}', '{"b":2}']);
  });

  test("malformed UTF-8 becomes U+FFFD (the line then fails as JSON where it is parsed), the lines around it are kept", async () => {
    const bytes = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}\n{"b":2}\n')]);
    expect(await lines(bytes, [3])).toEqual(['{"a":"\ufffd\ufffd"}', '{"b":2}']);
  });
});
