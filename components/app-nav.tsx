"use client";

import Link from "next/link";
import { useEffect, useId, useRef, useState } from "react";
import { usePathname } from "next/navigation";
import type { NavigationItem } from "@/lib/roles";

function isCurrentPage(pathname: string, href: string): boolean {
  return pathname === href || pathname.startsWith(`${href}/`);
}

const LINK = "rounded-md px-3 py-2 text-sm font-medium";
const CURRENT = "bg-slate-900 text-white dark:bg-slate-100 dark:text-slate-900";
const OTHER = "text-slate-700 hover:bg-slate-200 dark:text-slate-300 dark:hover:bg-slate-800";

/** The main navigation as a row of links, from the `md` breakpoint up. */
export function AppNav({ items }: { items: NavigationItem[] }) {
  const pathname = usePathname();
  return (
    <nav aria-label="Main" className="hidden flex-wrap gap-1 md:flex">
      {items.map((item) => {
        const isCurrent = isCurrentPage(pathname, item.href);
        return (
          <Link key={item.href} href={item.href} aria-current={isCurrent ? "page" : undefined} className={`${LINK} ${isCurrent ? CURRENT : OTHER}`}>
            {item.label}
          </Link>
        );
      })}
    </nav>
  );
}

/** The main navigation folded behind one button on a phone, so the header stays one line. */
export function AppMenu({ items }: { items: NavigationItem[] }) {
  const pathname = usePathname();
  const [openOn, setOpenOn] = useState<string | null>(null);
  const panelId = useId();
  const container = useRef<HTMLDivElement>(null);
  // Following a link closes the menu: it is open only on the page it was opened on.
  const isOpen = openOn === pathname;

  useEffect(() => {
    if (!isOpen) return;
    function onPointerDown(event: PointerEvent) {
      if (event.target instanceof Node && container.current?.contains(event.target)) return;
      setOpenOn(null);
    }
    document.addEventListener("pointerdown", onPointerDown);
    return () => document.removeEventListener("pointerdown", onPointerDown);
  }, [isOpen]);

  const current = items.find((item) => isCurrentPage(pathname, item.href));
  return (
    <div ref={container} className="md:hidden" onKeyDown={(event) => (event.key === "Escape" && isOpen ? setOpenOn(null) : undefined)}>
      <button
        type="button"
        aria-expanded={isOpen}
        aria-controls={panelId}
        onClick={() => setOpenOn(isOpen ? null : pathname)}
        className="flex items-center gap-1 rounded-md border border-slate-300 px-2.5 py-1.5 text-sm font-medium dark:border-slate-700"
      >
        <span aria-hidden="true">☰</span> Menu
        {current ? <span className="sr-only">, on {current.label}</span> : null}
      </button>
      <nav id={panelId} hidden={!isOpen} aria-label="Main menu" className="absolute inset-x-0 z-30 mt-2 border-b border-slate-200 bg-white px-4 py-2 shadow-lg dark:border-slate-800 dark:bg-slate-900">
        <ul className="grid gap-1">
          {items.map((item) => {
            const isCurrent = isCurrentPage(pathname, item.href);
            return (
              <li key={item.href}>
                <Link href={item.href} aria-current={isCurrent ? "page" : undefined} className={`block ${LINK} ${isCurrent ? CURRENT : OTHER}`}>
                  {item.label}
                </Link>
              </li>
            );
          })}
        </ul>
      </nav>
    </div>
  );
}
