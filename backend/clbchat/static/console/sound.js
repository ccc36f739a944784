// Sound: a short two-tone beep made with the Web Audio API, and the mute toggle that silences it.

import { storageGet, storageSet } from "./dom.js";
import { root, ui } from "./state.js";
import { announce } from "./status.js";

const MUTE_KEY = "clbchat.console.muted";

let muted = storageGet("localStorage", MUTE_KEY) === "1";
let audioCtx = null;

function audio() {
  if (!audioCtx) {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return null;
    try {
      audioCtx = new Ctx();
    } catch {
      return null;
    }
  }
  if (audioCtx.state === "suspended") audioCtx.resume().catch(() => {});
  return audioCtx;
}

/** Beep unless muted; `count` adds one to the page's data-beeps (a hook for tests). */
export function beep({ count = true } = {}) {
  if (muted) return;
  if (count) root.dataset.beeps = String((Number(root.dataset.beeps) || 0) + 1);
  const ctx = audio();
  if (!ctx) return;
  const t0 = ctx.currentTime + 0.02;
  for (const [freq, at] of [[880, 0], [1320, 0.17]]) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = "sine";
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, t0 + at);
    gain.gain.exponentialRampToValueAtTime(0.2, t0 + at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + at + 0.15);
    osc.connect(gain).connect(ctx.destination);
    osc.start(t0 + at);
    osc.stop(t0 + at + 0.17);
  }
}

function renderMute() {
  ui.mute.setAttribute("aria-pressed", String(muted));
  ui.mute.dataset.muted = String(muted);
  ui.mute.title = muted
    ? "Geluid staat uit: geen signaal bij nieuwe bezoekers. Klik om het weer aan te zetten."
    : "Geluid staat aan: een kort signaal bij nieuwe bezoekers. Klik om het uit te zetten.";
}

export function initSound() {
  // Browsers only allow sound after a user gesture: unlock the audio context on the first one.
  for (const evt of ["pointerdown", "keydown"]) {
    document.addEventListener(evt, () => audio(), { once: true, capture: true });
  }
  ui.mute.addEventListener("click", () => {
    muted = !muted;
    storageSet("localStorage", MUTE_KEY, muted ? "1" : "0");
    renderMute();
    announce(muted ? "Geluid uit." : "Geluid aan.");
    if (!muted) beep({ count: false }); // let the counsellor hear that it works
  });
  renderMute();
}
