import { EmptyState, Page } from '../components/ui';

export default function RequestsPage() {
  return (
    <Page title="Requests" description="This page is being built.">
      <EmptyState title="Coming soon" />
    </Page>
  );
}
