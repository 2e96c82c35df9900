"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { authClient } from "@/components/auth-client";

export function SignOutButton() {
  const [isPending, setPending] = useState(false);
  return (
    <Button
      variant="ghost"
      disabled={isPending}
      onClick={async () => {
        setPending(true);
        await authClient.signOut();
        window.location.assign("/sign-in");
      }}
    >
      Sign out
    </Button>
  );
}
