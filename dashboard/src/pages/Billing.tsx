// Placeholder: the Billing page is built on this foundation by the
// dash-pages helper (see dashboard/CONTRIBUTING.md).
import { EmptyState, Page } from '../components/ui';

export default function BillingPage() {
  return (
    <Page title="Billing" description="This page is being built.">
      <EmptyState title="Coming soon">The Billing page is not in this build yet.</EmptyState>
    </Page>
  );
}
