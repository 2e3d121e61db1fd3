// Saving an API answer as a file: the name from Content-Disposition, the
// body as a blob, an object URL clicked and released (no third-party code).
import { raw } from '../api/client';

/** filenameOf reads the file name of a Content-Disposition header. */
export function filenameOf(disposition: string | null, fallback: string): string {
  const m = disposition?.match(/filename\*?=(?:UTF-8'')?"?([^";]+)"?/i);
  return m ? decodeURIComponent(m[1]) : fallback;
}

/** saveBlob offers a blob to the user as a download named name. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** download sends a request and saves its answer; it returns the file's name. */
export async function download(method: 'GET' | 'POST', url: string, body: unknown, fallback: string): Promise<string> {
  const res = await raw(method, url, body);
  const name = filenameOf(res.headers.get('Content-Disposition'), fallback);
  saveBlob(await res.blob(), name);
  return name;
}
