import { EmptyState, Page } from '../components/ui';

export default function KeysPage() {
  return (
    <Page title="Keys" description="This page is being built.">
      <EmptyState title="Coming soon" />
    </Page>
  );
}
