import { EmptyState, Page } from '../components/ui';

export default function UsersPage() {
  return (
    <Page title="Users" description="This page is being built.">
      <EmptyState title="Coming soon" />
    </Page>
  );
}
