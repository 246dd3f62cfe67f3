"use client";

import { useEffect } from "react";

/**
 * Moves focus to the screen's heading when a step appears, unless a field already took it
 * (code screens focus their input), so screen-reader and keyboard users start at the top.
 */
export function FocusOnArrival({ targetId }: { targetId: string }) {
  useEffect(() => {
    const active = document.activeElement;
    if (!active || active === document.body) document.getElementById(targetId)?.focus({ preventScroll: true });
  }, [targetId]);
  return null;
}
