import { BlockStack, Card, Text, type BlockStackProps } from "@shopify/polaris";
import type { ReactNode } from "react";

/** A card with a heading: the building block of the profile and other detail pages. */
export function SectionCard({ title, gap = "300", children }: { title: string; gap?: BlockStackProps["gap"]; children: ReactNode }) {
  return (
    <Card>
      <BlockStack gap={gap}>
        <Text as="h2" variant="headingMd">
          {title}
        </Text>
        {children}
      </BlockStack>
    </Card>
  );
}
