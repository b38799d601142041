// Types the `shopify` global inside each module as the Api of the module's target (which also brings
// the target's web components' JSX types). Shopify CLI writes a file of this form (`shopify app dev`)
// and may rewrite it, adding a `//@ts-ignore` that this repository's lint refuses: keep it like this.
import '@shopify/ui-extensions';

declare module './src/BlockExtension.tsx' {
  const shopify: import('@shopify/ui-extensions/admin.customer-details.block.render').Api;
  const globalThis: { shopify: typeof shopify };
}
