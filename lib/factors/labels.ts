import type { Translate } from "@/lib/i18n/translate";
import { descriptor, type FactorId, isFactorId } from "./registry";

/** A factor's name and one-line hint in the user's language, from its descriptor's message namespace. */
/** `t`: a translator over the whole catalogue (no namespace). */
export function factorLabels(t: Translate) {
  return {
    name: (id: FactorId) => t(`${descriptor(id).messages}.name`),
    /** A stored factor id as people call it ("Authenticator app"); an id no longer in the registry as it is. */
    nameOf: (id: string) => (isFactorId(id) ? t(`${descriptor(id).messages}.name`) : id),
    hint: (id: FactorId) => t(`${descriptor(id).messages}.hint`),
    /** "Text a code to •••• 0123": for factors that deliver to a saved destination (tested: each has `to`). */
    to: (id: FactorId, destination: string) => t(`${descriptor(id).messages}.to`, { destination }),
  };
}
