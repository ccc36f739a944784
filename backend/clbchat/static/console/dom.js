// Small browser helpers: building elements without ever parsing HTML, and Web Storage that may be
// blocked.

/** Create an element. Children that are strings become Text nodes (never parsed as HTML). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (key === "class") el.className = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) if (child != null && child !== false) el.append(child);
  return el;
}

// `store` is "localStorage" or "sessionStorage"; touching either can throw (blocked storage).
export function storageGet(store, key) {
  try {
    return window[store].getItem(key);
  } catch {
    return null;
  }
}

export function storageSet(store, key, value) {
  try {
    window[store].setItem(key, value);
  } catch {
    /* private mode or full: the choice just isn't remembered */
  }
}
