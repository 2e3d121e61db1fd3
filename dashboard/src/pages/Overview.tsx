import { EmptyState, Page } from '../components/ui';

export default function OverviewPage() {
  return (
    <Page title="Overview" description="This page is being built.">
      <EmptyState title="Coming soon" />
    </Page>
  );
}
