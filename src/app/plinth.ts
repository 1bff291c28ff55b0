/**
 * The Plinth facade the CLI drives: a built server with its services, not yet
 * listening. `createPlinth` (create-plinth.ts) is the composition root.
 */
import type { PlinthConfig } from '../config/config.js';

/** SuperuserAdmin manages `_superusers` records from the command line. */
export interface SuperuserAdmin {
  /** Creates the superuser, or sets its password when it exists. */
  upsert(email: string, password: string): Promise<void>;
  /** Creates a superuser; a 400-class AppError when the email is taken or invalid. */
  create(email: string, password: string): Promise<void>;
  /** Sets the password of an existing superuser; a 404 AppError when there is none. */
  update(email: string, password: string): Promise<void>;
  /** Deletes a superuser; a 404 AppError when there is none. */
  delete(email: string): Promise<void>;
  /** How many superusers exist. */
  count(): Promise<number>;
}

/** A Plinth is one node: its HTTP server and its services over one data directory. */
export interface Plinth {
  readonly config: PlinthConfig;
  readonly superusers: SuperuserAdmin;
  /** Starts listening on config.http; resolves with the address actually bound. */
  listen(): Promise<{ host: string; port: number; url: string }>;
  /** Stops accepting requests, finishes those in flight, and closes the database. */
  close(): Promise<void>;
}
