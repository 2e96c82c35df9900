import type { ReactNode } from "react";
import Link from "next/link";
import { cookies } from "next/headers";
import { navigationFor } from "@/lib/roles";
import { THEME_COOKIE, toTheme } from "@/lib/theme";
import { AppMenu, AppNav } from "@/components/app-nav";
import { UserMenu } from "@/components/user-menu";
import { TimeZonePicker, TimeZoneProvider } from "@/components/time";
import { BROWSER_TIME_ZONE, TIME_ZONE_COOKIE, toTimeZoneChoice } from "@/lib/time";
import { env } from "@/server/core/env";
import { ThemeSwitch } from "@/components/theme-switch";
import { LiveUpdatesProvider } from "@/components/queries/live";
import { requirePageViewer } from "@/server/auth/page-viewer";
import { demoBanner } from "@/server/demo/demo-mode";
import { hasRole } from "@/lib/roles";
import { FIRST_RUN_DISMISSED_COOKIE } from "@/lib/first-run";
import { FirstRunChecklist } from "@/components/first-run-checklist";
import { firstRunProgress } from "@/server/subscriptions/first-run";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const viewer = await requirePageViewer();
  const cookieStore = await cookies();
  const theme = toTheme(cookieStore.get(THEME_COOKIE)?.value);
  const timeZoneChoice = toTimeZoneChoice(cookieStore.get(TIME_ZONE_COOKIE)?.value) ?? env().RXWATCH_TIMEZONE ?? BROWSER_TIME_ZONE;
  const isDemo = (await demoBanner()) !== null;
  // Admins see what to set up first until every step is done or they dismiss it.
  const setup = hasRole(viewer.role, "admin") && !cookieStore.has(FIRST_RUN_DISMISSED_COOKIE) ? await firstRunProgress() : null;
  const isSetupPending = setup !== null && Object.values(setup).some((isDone) => !isDone);
  return (
    <TimeZoneProvider initialChoice={timeZoneChoice}>
    <div className="flex min-h-screen flex-col">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:rounded focus:bg-white focus:px-3 focus:py-2">
        Skip to content
      </a>
      <header className="relative border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <div className="mx-auto flex max-w-7xl items-center gap-3 px-4 py-2 md:gap-4 md:py-3">
          <Link href="/orders" className="text-lg font-bold tracking-tight">
            Rx<span className="text-sky-700 dark:text-sky-400">Watch</span>
          </Link>
          <AppNav items={navigationFor(viewer.role)} />
          <AppMenu items={navigationFor(viewer.role)} />
          <div className="ml-auto flex min-w-0 items-center gap-3">
            <div className="hidden sm:block">
              <ThemeSwitch initial={theme} />
            </div>
            <UserMenu name={viewer.name} role={viewer.role}>
              <TimeZonePicker />
            </UserMenu>
          </div>
        </div>
      </header>
      {isDemo ? (
        <div role="note" aria-label="Demo mode" className="border-b border-amber-300 bg-amber-50 px-4 py-1 text-center text-xs text-amber-900 sm:py-2 sm:text-sm dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
          <span className="sm:hidden">Demo data from the built-in RxScale emulator.</span>
          <span className="hidden sm:inline">
          Demo data: orders and webhooks come from RxWatch&apos;s built-in RxScale emulator.{" "}
          {hasRole(viewer.role, "admin") ? (
            <>
              Connect the real RxScale under{" "}
              <Link href="/settings/rxscale" className="underline">
                Settings
              </Link>
            </>
          ) : (
            "An admin connects the real RxScale under Settings"
          )}
          , or start RxWatch with RXWATCH_DEMO=0.
          </span>
        </div>
      ) : null}
      <main id="main" className="mx-auto w-full max-w-7xl flex-1 px-4 py-6">
        {setup && isSetupPending ? <FirstRunChecklist progress={setup} /> : null}
        <LiveUpdatesProvider>{children}</LiveUpdatesProvider>
      </main>
    </div>
    </TimeZoneProvider>
  );
}
