// The admin's pages, each a plugin registered inside the signed-in scope. One entry per page module.
import type { FastifyPluginAsync } from 'fastify';
import type { AdminDependencies } from './admin-dependencies.js';
import { settingsPages } from './settings-pages.js';

export const adminPages: FastifyPluginAsync<AdminDependencies>[] = [settingsPages];
