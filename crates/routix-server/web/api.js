// The REST client. The access token lives only in this module's memory; the refresh token is
// an HttpOnly cookie the browser sends to /api/v1/auth (scripts can't read it). Every
// request carries X-Routix-Client, which the server requires for cookie use (CSRF guard).

let accessToken = null;
let refreshing = null;
export let currentUser = null;

const CLIENT = { "X-Routix-Client": "web" };

export class ApiError extends Error {
  constructor(status, code, message) { super(message); this.status = status; this.code = code; }
}

async function raw(method, path, body, { auth = true, form = false } = {}) {
  const headers = { ...CLIENT };
  if (auth && accessToken) headers.Authorization = `Bearer ${accessToken}`;
  let payload;
  if (form) payload = body;
  else if (body !== undefined) { headers["Content-Type"] = "application/json"; payload = JSON.stringify(body); }
  return fetch(path, { method, headers, body: payload, credentials: "same-origin" });
}

async function parse(res) {
  if (res.status === 204) return null;
  const type = res.headers.get("content-type") || "";
  const data = type.includes("json") ? await res.json() : await res.blob();
  if (!res.ok) {
    const err = data && data.error ? data.error : { code: "http_" + res.status, message: res.statusText };
    throw new ApiError(res.status, err.code, err.message);
  }
  return data;
}

function remember(tokens) {
  accessToken = tokens.access_token;
  currentUser = tokens.user;
  return tokens.user;
}

/// Restores the session from the refresh cookie; null when signed out.
export async function resume() {
  if (!refreshing) {
    refreshing = raw("POST", "/api/v1/auth/refresh", undefined, { auth: false })
      .then(async (res) => (res.ok ? remember(await res.json()) : null))
      .catch(() => null)
      .finally(() => { refreshing = null; });
  }
  return refreshing;
}

export async function api(method, path, body, opts) {
  let res = await raw(method, path, body, opts);
  if (res.status === 401 && accessToken) {
    if (await resume()) res = await raw(method, path, body, opts);
  }
  return parse(res);
}

export async function signIn(email, password) {
  return remember(await parse(await raw("POST", "/api/v1/auth/login", { email, password }, { auth: false })));
}

export async function signUp(email, password, display_name, locale) {
  return remember(await parse(await raw("POST", "/api/v1/auth/register", { email, password, display_name: display_name || undefined, locale }, { auth: false })));
}

export async function signOut() {
  try { await raw("POST", "/api/v1/auth/logout", undefined, { auth: false }); } finally {
    accessToken = null; currentUser = null; wallet = null;
  }
}

export function setUser(user) { currentUser = user; }

/// The signed-in account's credits: balance, plan and the price of each algorithm. Views
/// listen for `routix:wallet` to show the balance wherever it appears.
export let wallet = null;

export async function loadWallet() {
  const c = await api("GET", "/api/v1/users/me/credits?limit=1");
  wallet = { balance: c.balance, plan: c.plan, prices: c.prices || {} };
  window.dispatchEvent(new Event("routix:wallet"));
  return wallet;
}

/// The algorithms on offer, with names and prices, as admins set them (`GET /api/v1/algorithms`);
/// asked afresh by each view, so a new price shows without a reload of the app.
export async function loadAlgorithms() {
  return parse(await raw("GET", "/api/v1/algorithms", undefined, { auth: false }));
}

export async function upload(file) {
  const form = new FormData();
  form.append("file", file, file.name || "image");
  return api("POST", "/api/v1/files/upload", form, { form: true });
}

/// Downloads an authenticated URL as a file.
export async function download(path, filename) {
  const blob = await api("GET", path);
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url; a.download = filename; document.body.append(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export async function wsTicket() {
  return (await api("POST", "/api/v1/ws/ticket", {})).ticket;
}
