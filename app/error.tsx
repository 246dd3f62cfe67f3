"use client";

import { Surface, Text } from "@/components/Text";

/** A bug in one screen: keep the frame, hide the details (they are in the server log). */
export default function ScreenError() {
  return (
    <div className="flex min-h-dvh items-center justify-center p-6">
      <Surface kind="card" role="alert" className="max-w-md p-6">
        <h1 className="text-xl font-semibold">Something went wrong</h1>
        <Text tone="muted" className="mt-2">
          We could not finish this step. Start signing in again from your application.
        </Text>
      </Surface>
    </div>
  );
}
