// CLBch@t counsellor console: queue, several chats at once, over /ws/console (docs/protocol.md).
//
// Plain ES modules, no framework, no build step. Everything that comes from people (nicknames,
// messages, display names) is put in the page as text (textContent / Text nodes), never as HTML.
//
//   main.js        this file: wires the parts together and starts
//   socket.js      the connection: reconnect with backoff, heartbeat, send, connection badge
//   frames.js      server frames applied to the queue and the chat panes
//   queue-view.js  the waiting queue, count badge, page title, take buttons
//   chat-pane.js   one chat pane: header, presence, typing, composer, end and close
//   registration.js  the registration form in an ended chat's pane, the "Nog te registreren" list
//   colleagues.js  the colleagues online (name, discipline, load) in the side area
//   handover.js    a pane's "Doorgeven" button, the standing offer's countdown and what became of it
//   handover-dialog.js  the "Doorgeven" dialog: to whom, the note, errors
//   handover-offer.js   offers from colleagues: a card with note and transcript, accept or decline
//   staff-thread.js     a pane's "Alleen voor collega's" strip: hand-over notes, whispers
//   whisper.js     the whisper composer in that strip ("Fluister naar …")
//   staff-in.js    who of the coordinators is in a chat ("Lotte kijkt mee"), at the top of its pane
//   ask-help.js    a pane's "Hulp vragen" button and what came of it
//   coordinator.js a coordinator's pane: looking on read-only, taking part, stopping
//   overview.js    a coordinator's live overview of every active chat ("Meekijken", "Deelnemen")
//   help-alert.js  a coordinator's alert when a counsellor asks for help
//   board.js       the shared board (prikbord): the team's notes about recurring chatters
//   messages.js    a pane's message list: seq order, no duplicates, pending / acked / failed
//   sound.js       the new-visitor beep and the mute toggle
//   status.js      the status line and the screen-reader live region
//   state.js       page elements, the counsellor, the open chats
//   dom.js, format.js  small helpers

import { initBoard } from "./board.js";
import { handleFrame, onSocketLost } from "./frames.js";
import { initHelpAlerts } from "./help-alert.js";
import { initQueue } from "./queue-view.js";
import { initRegistration } from "./registration.js";
import { startSocket } from "./socket.js";
import { initSound } from "./sound.js";

initSound();
initQueue();
initRegistration();
initBoard();
initHelpAlerts();
startSocket({ frame: handleFrame, lost: onSocketLost });
