import Link from "next/link";

export default function NotFound() {
  return (
    <main className="flex min-h-screen flex-col items-center justify-center gap-3">
      <h1 className="text-2xl font-semibold">Not found</h1>
      <Link href="/orders" className="text-sky-700 underline dark:text-sky-400">
        Back to orders
      </Link>
    </main>
  );
}
