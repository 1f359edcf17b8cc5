// routes.js — the web client's pages by address: each #/route and the view module that
// mounts it (each page module exports mount…(root, ctx, params, arg) and returns its
// cleanup), and how an address is read (#/booth/7?lang=ko: the route /booth, the argument 7,
// the query). app.js routes with these.
//
// Routes: #/login, #/register, #/accept?token=…, #/lobby, #/booth/{id}, #/console
// (#/console/{company_id} for organizers), #/leads (#/leads/{company_id}), #/inbox
// (#/inbox/{room_id}: one conversation), #/meetings (#/meetings/book/{company_id},
// #/meetings/availability, #/meetings/busy), #/room/{meeting_id}; organizer monitoring:
// #/dashboard (live), #/reports?from=&to=, #/scanner (organizers and exhibitor staff: badge
// check-ins), #/stats (an exhibitor's own figures; organizers: #/stats/{company_id}), and
// #/badge (everyone's QR badge); the organizers' people desk: #/people (registrations waiting
// for approval, all accounts), #/invitations and #/import (CSV/XLSX with a dry run);
// matchmaking: #/matchmaking (organizers: pairs, runs, grids, publishing) and #/buyers
// (exhibitors: the buyer directory with marks); and #/waiting (public: a buyer whose
// registration is not approved yet, or was rejected); the live stage: #/show/{id} (one show:
// its player, live when its stream is).
//
// A route's flags: guestOnly (signed-out pages; the signed-in go to the lobby), public
// (anyone), arg 'required' or 'optional' (#/booth/7), nested (the argument may have more than
// one part: #/meetings/book/3).

import { mountAccept } from './views/accept.js';
import { mountBadge } from './views/badge.js';
import { mountBooth } from './views/booth.js';
import { mountBuyers } from './views/buyers.js';
import { mountConsole } from './views/console.js';
import { mountDashboard } from './views/dashboard.js';
import { mountImport } from './views/import.js';
import { mountInbox } from './views/inbox.js';
import { mountInvitations } from './views/invitations.js';
import { mountLeads } from './views/leads.js';
import { mountLobby } from './views/lobby.js';
import { mountLogin } from './views/login.js';
import { mountMatchmaking } from './views/matchmaking.js';
import { mountMeetings } from './views/meetings.js';
import { mountPeople } from './views/people.js';
import { mountRegister } from './views/register.js';
import { mountReports } from './views/reports.js';
import { mountRoom } from './views/room.js';
import { mountScanner } from './views/scanner.js';
import { mountShow } from './views/stage.js';
import { mountStats } from './views/stats.js';
import { mountWaiting } from './views/waiting.js';

export const ROUTES = {
  '/login': { mount: mountLogin, guestOnly: true },
  '/register': { mount: mountRegister, guestOnly: true },
  '/accept': { mount: mountAccept, public: true },
  '/lobby': { mount: mountLobby },
  '/booth': { mount: mountBooth, arg: 'required' },
  '/console': { mount: mountConsole, arg: 'optional' },
  '/leads': { mount: mountLeads, arg: 'optional' },
  '/inbox': { mount: mountInbox, arg: 'optional' },
  // #/meetings/book/3: the argument may have more than one part.
  '/meetings': { mount: mountMeetings, arg: 'optional', nested: true },
  '/room': { mount: mountRoom, arg: 'required' },
  '/dashboard': { mount: mountDashboard },
  '/reports': { mount: mountReports },
  '/scanner': { mount: mountScanner },
  '/stats': { mount: mountStats, arg: 'optional' },
  '/badge': { mount: mountBadge },
  '/people': { mount: mountPeople },
  '/invitations': { mount: mountInvitations },
  '/import': { mount: mountImport },
  '/waiting': { mount: mountWaiting, public: true },
  // Matchmaking (issue 13): the organizer's board and the exhibitors' buyer directory.
  '/matchmaking': { mount: mountMatchmaking },
  '/buyers': { mount: mountBuyers },
  // The live stage (issue 14): one show, its player.
  '/show': { mount: mountShow, arg: 'required' },
};

function safeDecode(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text; // a stray "%": keep it as typed (the page then says it is not found)
  }
}

/** The address as {path, base (the route), arg, params}. */
export function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, query = ''] = raw.split('?');
  // "/booth/7" is the route "/booth" with the argument "7" ("/meetings/book/7": "book/7").
  const match = /^(\/[^/]*)(?:\/(.+?))?\/?$/.exec(path || '/');
  return {
    path: path || '/',
    base: match ? match[1] : path,
    arg: match?.[2] ? match[2].split('/').map(safeDecode).join('/') : '',
    params: new URLSearchParams(query),
  };
}
