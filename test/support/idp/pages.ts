/**
 * The HTML pages of the test identity provider: login, device code entry and confirmation, success, errors.
 *
 * Plain, self-contained markup (no external fonts or scripts, so a browser never leaves loopback),
 * with a label on every input so tests can find fields by role and name.
 */

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function layout(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}
label{display:block;margin-top:.75rem}input{display:block;width:100%;padding:.4rem;margin-top:.25rem}
button{margin-top:1rem;padding:.5rem 1rem}.error{color:#a00}</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>`;
}

/** The sign-in form: fields `login` and `password`, posted back to `action`. */
export function loginPage(input: { action: string; clientId: string; login?: string; error?: string }): string {
  const error = input.error ? `<p class="error" role="alert">${escapeHtml(input.error)}</p>` : '';
  return layout(
    'Sign in',
    `<p>to continue to <strong>${escapeHtml(input.clientId)}</strong></p>
${error}
<form method="post" action="${escapeHtml(input.action)}" autocomplete="off">
<label for="login">Username</label>
<input id="login" name="login" type="text" value="${escapeHtml(input.login ?? '')}" autofocus required>
<label for="password">Password</label>
<input id="password" name="password" type="password" required>
<button type="submit">Sign in</button>
</form>
<p><a href="${escapeHtml(input.action)}/abort">Cancel</a></p>`,
  );
}

/** The device code entry page; `form` is the provider's own form markup (it carries the xsrf token). */
export function userCodeInputPage(form: string, error?: string): string {
  const message = error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : '<p>Enter the code displayed on your device.</p>';
  // The provider's form has an unlabeled `user_code` input; label it for assistive tech and tests.
  const labelled = form.replace(/<input(?=[^>]*type="text")/, '<label for="user_code">Code</label><input id="user_code"');
  return layout('Enter code', `${message}\n${labelled}\n<button type="submit" form="op.deviceInputForm">Next</button>`);
}

/** The device code confirmation page. */
export function userCodeConfirmPage(form: string, clientId: string, userCode: string): string {
  return layout(
    'Confirm device',
    `<p><strong>${escapeHtml(clientId)}</strong> wants to sign in on a device showing the code <code>${escapeHtml(userCode)}</code>.</p>
${form}
<button type="submit" form="op.deviceConfirmForm">Continue</button>
<button type="submit" form="op.deviceConfirmForm" value="yes" name="abort">Cancel</button>`,
  );
}

/** Shown after a device flow sign-in finished. */
export function deviceSuccessPage(clientId: string): string {
  return layout('Signed in', `<p>You have signed in to <strong>${escapeHtml(clientId)}</strong> on your device. You can close this window.</p>`);
}

/** Shown for errors the provider cannot send back to a client. */
export function errorPage(out: Record<string, unknown>): string {
  const rows = Object.entries(out)
    .map(([key, value]) => `<dt>${escapeHtml(key)}</dt><dd>${escapeHtml(value)}</dd>`)
    .join('');
  return layout('Sign-in error', `<dl class="error">${rows}</dl>`);
}

/** The end-session confirmation page; `form` is the provider's own form markup. */
export function logoutPage(form: string): string {
  return layout(
    'Sign out',
    `${form}\n<button type="submit" form="op.logoutForm" value="yes" name="logout">Sign out</button>\n<button type="submit" form="op.logoutForm">Stay signed in</button>`,
  );
}

/** Shown after sign-out without a redirect. */
export function logoutSuccessPage(): string {
  return layout('Signed out', '<p>You have signed out.</p>');
}
