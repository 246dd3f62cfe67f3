import { ErrorView } from "@/app/_ui/ErrorView";

export default function NotFound() {
  return <ErrorView reason="not_found" />;
}
