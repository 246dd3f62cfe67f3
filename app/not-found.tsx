import { ErrorView } from "@/components/ErrorView";

export default function NotFound() {
  return <ErrorView reason="not_found" />;
}
