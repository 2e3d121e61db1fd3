// Placeholder: the Models page is built on this foundation by the
// dash-pages helper (see dashboard/CONTRIBUTING.md).
import { EmptyState, Page } from '../components/ui';

export default function ModelsPage() {
  return (
    <Page title="Models" description="This page is being built.">
      <EmptyState title="Coming soon">The Models page is not in this build yet.</EmptyState>
    </Page>
  );
}
