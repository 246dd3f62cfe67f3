import type { AnchorHTMLAttributes, ButtonHTMLAttributes } from "react";

type Variant = "primary" | "secondary" | "link";

const BASE =
  "inline-flex min-h-11 items-center justify-center rounded-brand text-base transition-colors focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-focus disabled:cursor-wait disabled:opacity-70";

const VARIANTS: Record<Variant, string> = {
  primary: "w-full bg-primary text-primary-fg hover:bg-primary-hover px-4 py-3 font-semibold shadow-sm",
  secondary: "w-full border border-line bg-card text-fg hover:bg-page px-4 py-3 font-medium",
  link: "text-muted underline underline-offset-4 hover:text-fg px-1 py-1",
};

/** The only button: variants hold every colour and spacing decision. */
export function Button({ variant = "primary", className = "", ...props }: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: Variant }) {
  return <button {...props} className={`${BASE} ${VARIANTS[variant]} ${className}`} />;
}

/** A link that looks like a {@link Button}, for navigation that must be a full page load. */
export function ButtonLink({ variant = "primary", className = "", ...props }: AnchorHTMLAttributes<HTMLAnchorElement> & { variant?: Variant }) {
  return <a {...props} className={`${BASE} ${VARIANTS[variant]} ${className}`} />;
}
