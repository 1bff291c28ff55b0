/**
 * The database handle every service shares: a Kysely instance over the chosen
 * dialect. Rows of collection tables are untyped (`any`): their columns come
 * from collection definitions at run time, and are validated before use.
 */
import type { Kysely, Transaction } from 'kysely';

/** The Kysely instance over the whole database. */
export type Db = Kysely<any>;

/** Either the database or a transaction on it: what a write runs against. */
export type Executor = Kysely<any> | Transaction<any>;
