import { EmptyState, Page } from '../components/ui';

export default function PlaygroundPage() {
  return (
    <Page title="Playground" description="This page is being built.">
      <EmptyState title="Coming soon" />
    </Page>
  );
}
