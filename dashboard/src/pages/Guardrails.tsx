// Placeholder: the Guardrails page is built on this foundation by the
// dash-pages helper (see dashboard/CONTRIBUTING.md).
import { EmptyState, Page } from '../components/ui';

export default function GuardrailsPage() {
  return (
    <Page title="Guardrails" description="This page is being built.">
      <EmptyState title="Coming soon">The Guardrails page is not in this build yet.</EmptyState>
    </Page>
  );
}
