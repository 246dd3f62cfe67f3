import type { ComponentPropsWithoutRef, ElementType, ReactNode } from "react";

/** The text colours of the brand (app/globals.css): every screen picks a tone, never a colour. */
const TONES = {
  fg: "text-fg",
  muted: "text-muted",
  primary: "text-primary",
  danger: "text-danger",
} as const;

export type Tone = keyof typeof TONES;

/** Props of an element rendered as `as` (a tag), with layout classes from the screen. */
type Polymorphic<T extends ElementType, Extra> = Extra & { as?: T; className?: string; children?: ReactNode } & Omit<ComponentPropsWithoutRef<T>, "as" | "className" | "children" | keyof Extra>;

/** Renders `as` (or `fallback`) with the primitive's colour classes before the screen's layout ones. */
function Styled({ as, fallback, colour, className = "", children, ...rest }: { as?: ElementType; fallback: ElementType; colour: string; className?: string; children?: ReactNode }) {
  const Tag = as ?? fallback;
  return (
    <Tag className={`${colour} ${className}`.trim()} {...rest}>
      {children}
    </Tag>
  );
}

/**
 * Text in one of the brand's tones. Screens pass layout and size classes (`className`); the
 * colour comes only from here, so a brand's palette (and dark mode) reaches every screen.
 */
export function Text<T extends ElementType = "p">({ tone = "fg", ...props }: Polymorphic<T, { tone?: Tone }>) {
  return <Styled fallback="p" colour={TONES[tone]} {...(props as object)} />;
}

const SURFACES = {
  /** The card a screen sits on. */
  card: "rounded-brand border border-line bg-card text-fg",
  /** A quiet box inside a card: a notice, a number, a list of keys. */
  inset: "rounded-brand border border-line bg-page text-fg",
  /** A bordered row without a fill (a method on /manage). */
  outline: "rounded-brand border border-line",
} as const;

/** A bordered surface in the brand's colours; screens pass spacing and layout. */
export function Surface<T extends ElementType = "div">({ kind = "inset", ...props }: Polymorphic<T, { kind?: keyof typeof SURFACES }>) {
  return <Styled fallback="div" colour={SURFACES[kind]} {...(props as object)} />;
}

/** A small label beside a title ("Recommended"). */
export function Badge({ children }: { children: ReactNode }) {
  return <span className="rounded-full border border-primary px-2 text-xs font-medium text-primary">{children}</span>;
}

/** A step's number in a numbered list of instructions. */
export function StepNumber({ children }: { children: ReactNode }) {
  return <span className="me-2 inline-flex size-6 items-center justify-center rounded-full bg-primary text-sm text-primary-fg">{children}</span>;
}

/** Links and link-like buttons inside a card's text: the brand's primary colour, underlined. */
export const INLINE_LINK = "text-sm font-medium text-primary underline underline-offset-4 hover:text-primary-hover";

/** A checkbox in the brand's accent. */
export function Checkbox(props: Omit<ComponentPropsWithoutRef<"input">, "type" | "className">) {
  return <input type="checkbox" className="size-5 accent-primary" {...props} />;
}

/** A one-line text field in the brand's colours. */
export function TextInput({ className = "", ...props }: ComponentPropsWithoutRef<"input">) {
  return <input className={`w-full rounded-brand border border-line bg-card px-3 py-2 text-fg focus:border-primary focus:outline-3 focus:outline-focus ${className}`.trim()} {...props} />;
}

/** A multi-line text field in the brand's colours (the console's reason). */
export function TextArea({ className = "", ...props }: ComponentPropsWithoutRef<"textarea">) {
  return <textarea className={`w-full rounded-brand border border-line bg-card px-3 py-2 text-fg focus:border-primary focus:outline-3 focus:outline-focus ${className}`.trim()} {...props} />;
}

/** A drop-down list in the brand's colours. */
export function Select({ className = "", ...props }: ComponentPropsWithoutRef<"select">) {
  return <select className={`w-full rounded-brand border border-line bg-card px-3 py-2 text-fg focus:border-primary focus:outline-3 focus:outline-focus ${className}`.trim()} {...props} />;
}

/** One option of a list to pick from (the method picker): a full-width button with a title and a hint. */
export function ChoiceButton({ children, ...props }: Omit<ComponentPropsWithoutRef<"button">, "className">) {
  return (
    <button
      className="flex min-h-14 w-full flex-col items-start rounded-brand border border-line bg-card px-4 py-3 text-start hover:border-primary hover:bg-page focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-focus"
      {...props}
    >
      {children}
    </button>
  );
}
