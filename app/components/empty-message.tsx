import { BlockStack, Box, Text } from "@shopify/polaris";

/** What a list says when it has nothing to show: a heading and, optionally, what to do about it. */
export function EmptyMessage({ title, body }: { title: string; body?: string }) {
  return (
    <Box padding="600">
      <BlockStack gap="200" inlineAlign="center">
        <Text as="p" variant={body ? "headingMd" : "bodyMd"} tone={body ? undefined : "subdued"}>
          {title}
        </Text>
        {body ? (
          <Text as="p" tone="subdued">
            {body}
          </Text>
        ) : null}
      </BlockStack>
    </Box>
  );
}
