/**
 * The admin login form, server-rendered without scripts so its Content-Security-Policy can
 * forbid every script. `next` is where to go after logging in; only paths on this server are
 * kept, so the form cannot be used to bounce an admin to another site.
 */

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

/** `next` when it is a path on this server (`/dashboard?x=1`), otherwise `fallback`. */
export function localPath(next: unknown, fallback: string): string {
  if (typeof next !== 'string' || !next.startsWith('/')) return fallback;
  // `//host` and `/\host` are protocol-relative URLs to another site in browsers.
  if (next.startsWith('//') || next.startsWith('/\\')) return fallback;
  return next;
}

/** Scripts, frames and foreign form targets are all refused on the login page. */
export const LOGIN_PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";

export function loginPage(input: { readonly next: string; readonly error?: string }): string {
  const error =
    input.error === undefined ? '' : `<p role="alert" class="error">${escapeHtml(input.error)}</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Handoff admin: log in</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 24rem; margin: 4rem auto; padding: 0 1rem; }
label, input, button { display: block; width: 100%; box-sizing: border-box; }
input { margin: 0.5rem 0 1rem; padding: 0.5rem; }
button { padding: 0.5rem; }
.error { color: #b00020; }
</style>
</head>
<body>
<h1>Handoff admin</h1>
${error}
<form method="post" action="/login">
<label for="token">Admin token (HANDOFF_ADMIN_TOKEN)</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<input type="hidden" name="next" value="${escapeHtml(input.next)}">
<button type="submit">Log in</button>
</form>
</body>
</html>
`;
}

/** What `/dashboard`, `/admin` and `/login` show while no admin token is configured. */
export const ADMIN_OFF_MESSAGE =
  'the admin pages are off: set HANDOFF_ADMIN_TOKEN (at least 16 characters) and restart to turn them on';
