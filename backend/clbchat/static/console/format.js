// How times, waiting times, roles and nicknames read on screen (Dutch, Belgian clock).

// The widget's words (widget/views.js), so a counsellor reads what the visitor chose.
const ROLE_LABELS = { pupil: "Leerling", parent: "Ouder", other: "Iemand anders" };

const timeFmt = new Intl.DateTimeFormat("nl-BE", { hour: "2-digit", minute: "2-digit" });

export function fmtClock(iso) {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(t) ? "" : timeFmt.format(new Date(t));
}

export function fmtWaiting(iso, now) {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return "";
  const secs = Math.max(0, Math.floor((now - t) / 1000));
  if (secs < 60) return `${secs} s`;
  const mins = Math.floor(secs / 60);
  if (mins < 60) return `${mins} min`;
  return `${Math.floor(mins / 60)} u ${mins % 60} min`;
}

export const roleLabel = (role) => ROLE_LABELS[role] ?? "—";
export const nickOf = (value) => (typeof value === "string" && value.trim() ? value : "Bezoeker");

export function truncate(text, n = 140) {
  const s = String(text ?? "").replace(/\s+/g, " ").trim();
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
