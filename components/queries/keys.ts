/** Every TanStack Query key in the app, from one place so invalidation cannot miss one. */
export const queryKeys = {
  me: () => ["me"] as const,
  users: () => ["users"] as const,
  apiTokens: () => ["api-tokens"] as const,
  orders: () => ["orders"] as const,
  ordersList: (search: string) => ["orders", "list", search] as const,
  order: (uid: string) => ["order", uid] as const,
  deliveries: () => ["deliveries"] as const,
  deliveriesList: (search: string) => ["deliveries", "list", search] as const,
  deliveriesNewer: (search: string, newestCursor: string) => ["deliveries", "newer", search, newestCursor] as const,
  delivery: (id: string) => ["deliveries", "detail", id] as const,
  connection: () => ["settings", "connection"] as const,
  subscriptions: () => ["settings", "subscriptions"] as const,
  signingSecrets: () => ["settings", "signing-secrets"] as const,
  localSettings: (key: string) => ["settings", "local", key] as const,
};
