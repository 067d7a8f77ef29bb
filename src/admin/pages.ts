// The admin's pages, each a plugin registered inside the signed-in scope. One entry per page module.
import type { FastifyPluginAsync } from 'fastify';
import type { AdminDependencies } from './admin-dependencies.js';
import { dashboardPages } from './dashboard-pages.js';
import { issuePages } from './issue-pages.js';
import { ledgerPages } from './ledger-pages.js';
import { mailboxPages } from './mailbox-pages.js';
import { notePages } from './note-pages.js';
import { settingsPages } from './settings-pages.js';
import { subscriberPages } from './subscriber-pages.js';

export const adminPages: FastifyPluginAsync<AdminDependencies>[] = [
  settingsPages,
  dashboardPages,
  subscriberPages,
  notePages,
  issuePages,
  mailboxPages,
  ledgerPages,
];
