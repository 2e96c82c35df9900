"use client";

import { useState } from "react";
import { useRouter } from "next/navigation";
import { useQueryClient } from "@tanstack/react-query";
import { Button } from "@/components/ui/button";
import { authClient } from "@/components/auth-client";
import { useSignOutEverywhere } from "@/components/queries/accounts";

export function SignOutButton() {
  const [isPending, setPending] = useState(false);
  const router = useRouter();
  const queryClient = useQueryClient();
  const signOutEverywhere = useSignOutEverywhere();

  function leave() {
    // Nothing the previous user loaded may stay in memory for the next one.
    queryClient.clear();
    router.replace("/sign-in");
    router.refresh();
  }

  return (
    <>
      <Button
        variant="ghost"
        disabled={isPending}
        onClick={async () => {
          setPending(true);
          await authClient.signOut();
          leave();
        }}
      >
        Sign out
      </Button>
      <Button
        variant="ghost"
        title="End your sessions on every device and browser, this one included"
        disabled={isPending || signOutEverywhere.isPending}
        onClick={() => signOutEverywhere.mutate(undefined, { onSuccess: leave })}
      >
        End all my sessions
      </Button>
    </>
  );
}
