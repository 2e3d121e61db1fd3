import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createBrowserRouter, Navigate, RouterProvider, type RouteObject } from 'react-router';
import { ApiError } from './api/client';
import { Shell } from './components/Shell';
import Login from './pages/Login';
import { SkeletonPage } from './components/ui';
import { RequireSession, useSession } from './lib/session';
import { homeFor, PAGES } from './routes';

function Home() {
  const me = useSession();
  return <Navigate to={homeFor(me.permissions)} replace />;
}

function NotFound() {
  return (
    <div className="p-6">
      <h1 className="text-2xl font-semibold">Page not found</h1>
      <p className="mt-2 text-sm">
        There is no page at this address. <a className="underline" href="/">Go to the start</a>.
      </p>
    </div>
  );
}

export const routes: RouteObject[] = [
  // Sign-in is the first page most visits see: in the main chunk, not lazy.
  { path: '/login', element: <Login /> },
  {
    path: '/',
    element: (
      <RequireSession fallback={<SkeletonPage />}>
        <Shell />
      </RequireSession>
    ),
    children: [
      { index: true, element: <Home /> },
      ...PAGES.map((p) => ({ path: p.path, lazy: async () => ({ Component: (await p.load()).default }) })),
      { path: '*', element: <NotFound /> },
    ],
  },
];

export function makeQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        refetchOnWindowFocus: false,
        // Retry network blips, not answers: a 4xx will not change on retry.
        retry: (n, err) => n < 2 && (!(err instanceof ApiError) || err.status === 0 || err.status >= 500),
      },
    },
  });
}

export default function App() {
  const router = createBrowserRouter(routes);
  return (
    <QueryClientProvider client={makeQueryClient()}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  );
}
