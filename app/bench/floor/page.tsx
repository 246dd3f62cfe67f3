import { notFound } from "next/navigation";

export const dynamic = "force-dynamic";

/** The framework floor for `npm run bench`: a minimal dynamic page (404 unless KEYSTEP_BENCH=1). */
export default function Floor() {
  if (process.env.KEYSTEP_BENCH !== "1") notFound();
  return <p>floor</p>;
}
