// Placeholder: the Settings page is built on this foundation by the
// dash-pages helper (see dashboard/CONTRIBUTING.md).
import { EmptyState, Page } from '../components/ui';

export default function SettingsPage() {
  return (
    <Page title="Settings" description="This page is being built.">
      <EmptyState title="Coming soon">The Settings page is not in this build yet.</EmptyState>
    </Page>
  );
}
