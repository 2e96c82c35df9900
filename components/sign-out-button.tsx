"use client";

import { useState } from "react";
import { useRouter } from "next/navigation";
import { useQueryClient } from "@tanstack/react-query";
import { Button } from "@/components/ui/button";
import { authClient } from "@/components/auth-client";

export function SignOutButton() {
  const [isPending, setPending] = useState(false);
  const router = useRouter();
  const queryClient = useQueryClient();
  return (
    <Button
      variant="ghost"
      disabled={isPending}
      onClick={async () => {
        setPending(true);
        await authClient.signOut();
        // Nothing the previous user loaded may stay in memory for the next one.
        queryClient.clear();
        router.replace("/sign-in");
        router.refresh();
      }}
    >
      Sign out
    </Button>
  );
}
