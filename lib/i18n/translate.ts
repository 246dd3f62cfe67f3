/**
 * A translator bound to one message namespace, as both kinds of screen have it: next-intl's
 * `getTranslations(ns)` on React screens, `createTranslator` on HTML-only ones (lib/pages). Domain
 * code that words a message takes one of these instead of reaching for a framework.
 */
export type Translate = (key: string, values?: Record<string, string | number>) => string;
