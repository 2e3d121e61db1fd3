// Placeholder: the Audit logs page is built on this foundation by the
// dash-pages helper (see dashboard/CONTRIBUTING.md).
import { EmptyState, Page } from '../components/ui';

export default function AuditPage() {
  return (
    <Page title="Audit logs" description="This page is being built.">
      <EmptyState title="Coming soon">The Audit logs page is not in this build yet.</EmptyState>
    </Page>
  );
}
