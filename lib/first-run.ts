/** The first-run checklist's steps, in the order an admin takes them. */
export const FIRST_RUN_STEPS = [
  { key: "connect", label: "Connect RxScale", hint: "Save the Management API key of your RxScale organisation.", href: "/settings/rxscale" },
  { key: "subscribe", label: "Subscribe to events", hint: "Subscribe this RxWatch to the event types you want to watch.", href: "/settings/rxscale" },
  { key: "test", label: "Send a test event", hint: "“Send test event” on a subscription; done once a signed delivery is accepted.", href: "/settings/rxscale" },
  { key: "invite", label: "Invite staff", hint: "Add the people who watch orders, with the role each needs.", href: "/settings/access" },
] as const;

export type FirstRunStepKey = (typeof FIRST_RUN_STEPS)[number]["key"];
export type FirstRunProgress = Record<FirstRunStepKey, boolean>;

/** Set when an admin dismisses the checklist in this browser. */
export const FIRST_RUN_DISMISSED_COOKIE = "rxwatch-first-run-dismissed";
